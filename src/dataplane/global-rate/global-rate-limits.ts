// A data-plane process's GlobalRateLimit state: the sliding counters, and the loop that sends what
// was admitted (cumulative per window) to the holder of the shared counts every interval and takes
// back the totals. One exchange at a time: while one waits, new counts wait for the next; after a
// failed one the next sends the same cumulative counts again, which the holder counts once.
import type { CountSync } from './count-sync.ts';
import { SlidingCounters } from './sliding-counters.ts';

export interface GlobalRateLimitsOptions {
  readonly sync: CountSync;
  /** How often counts are exchanged (--global-rate-limit-sync-ms). */
  readonly intervalMs: number;
  /** The status of a refused request (--global-rate-limit-status). */
  readonly status: number;
  /** Wall-clock milliseconds: windows are the same on every replica. */
  readonly now?: () => number;
  readonly onRejection?: () => void;
  /** A request passed uncounted: its rule holds as many windows as it may (MAX_WINDOWS_PER_RULE). */
  readonly onUntracked?: () => void;
  /** An exchange failed (the primary did not answer): its counts go again with the next. */
  readonly onSyncFailure?: (err: unknown) => void;
}

export interface GlobalRateLimits {
  readonly status: number;
  /** Whether a request with `key` is admitted under the rule (counted if so). */
  admit(rule: string, limit: number, windowSeconds: number, key: string): boolean;
  /** Exchanges the counts now (and waits for one running); tests drive the sync with it. */
  flush(): Promise<void>;
  stop(): void;
}

export function createGlobalRateLimits(opts: GlobalRateLimitsOptions): GlobalRateLimits {
  // The other replicas' last counts of a window reach etcd within about an interval and an etcd
  // exchange or two (each has a 2 s deadline) after it ends.
  const counters = new SlidingCounters({ settleMs: opts.intervalMs + 5_000 });
  const now = opts.now ?? Date.now;
  let running: Promise<void> | undefined;
  const exchange = async (): Promise<void> => {
    const items = counters.takeItems(now());
    if (items.length === 0) return;
    try {
      counters.applyTotals(items, await opts.sync(items));
    } catch (err: unknown) {
      opts.onSyncFailure?.(err);
    }
  };
  const run = (): Promise<void> => {
    running ??= exchange().finally(() => { running = undefined; });
    return running;
  };
  const timer = setInterval(() => { void run(); }, opts.intervalMs);
  timer.unref();
  return {
    status: opts.status,
    admit(rule, limit, windowSeconds, key) {
      const admission = counters.admit(rule, key, limit, windowSeconds, now());
      if (admission === 'refused') opts.onRejection?.();
      else if (admission === 'untracked') opts.onUntracked?.();
      return admission !== 'refused';
    },
    async flush() {
      if (running !== undefined) await running;
      await run();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
