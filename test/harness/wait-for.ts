// Polls a probe until it yields a value, with a short interval and an overall deadline. The probe
// returns undefined for "not yet" and may throw for "not yet" too; the last reason is reported when
// the deadline passes. `abort` ends the wait early (e.g. the process being waited on exited) by
// throwing the signal's reason.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly abort?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let reason = 'no answer yet';
  for (;;) {
    opts.abort?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err: unknown) {
      reason = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(`timed out after ${opts.timeoutMs}ms waiting for ${opts.what}: ${reason}`);
    }
    // An abort ends the sleep early; the check at the top of the loop then throws its reason.
    await sleep(opts.intervalMs ?? 100, undefined, opts.abort ? { signal: opts.abort } : {}).catch(() => undefined);
  }
}
