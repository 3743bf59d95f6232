// Starts ACME without holding up serving: retries with a capped back-off while etcd is
// unreachable, and hands out the running instance once it is up.
import type { ControllerConfig } from '../config/schema.ts';
import { startAcme, type AcmeDeps, type RunningAcme } from '../acme/start-acme.ts';

export interface BackgroundAcme {
  current(): RunningAcme | undefined;
  /** Waits for the start loop to end (after `signal` aborts), then stops ACME if it ran. */
  stop(): Promise<void>;
}

export function startAcmeInBackground(
  config: ControllerConfig,
  deps: AcmeDeps & { wait: (ms: number, signal: AbortSignal) => Promise<void>; onStarted: (acme: RunningAcme) => void },
  signal: AbortSignal,
): BackgroundAcme {
  let running: RunningAcme | undefined;
  const loop = (async () => {
    for (let attempt = 0; !signal.aborted && running === undefined; attempt++) {
      try {
        running = await startAcme(config, deps);
        deps.onStarted(running);
      } catch (err: unknown) {
        const delayMs = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        deps.log.error('ACME could not start; serving without it and retrying', { err, delayMs });
        await deps.wait(delayMs, signal);
      }
    }
  })();
  return {
    current: () => running,
    async stop() {
      await loop;
      await running?.stop();
    },
  };
}
