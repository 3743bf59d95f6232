// Coalesces bursts of changes: run `fn` once things have been quiet for `holdoffMs`, but never
// later than `maxDelayMs` after the first change of a burst (contour's hold-off + max delay).
// Runs never overlap: a trigger during a run schedules one more run after it.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => { clearTimeout(h as NodeJS.Timeout); },
  now: () => performance.now(),
};

export interface Debouncer {
  trigger(): void;
  /** Resolves when no run is pending or in progress. */
  idle(): Promise<void>;
}

export function createDebouncer(
  opts: { holdoffMs: number; maxDelayMs: number; timers?: Timers },
  fn: () => Promise<void>,
): Debouncer {
  const timers = opts.timers ?? realTimers;
  let handle: unknown;
  let firstAt: number | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let idleWaiters: (() => void)[] = [];

  const settle = (): void => {
    if (handle === undefined && running === undefined) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
  };

  const fire = (): void => {
    handle = undefined;
    firstAt = undefined;
    if (running) { again = true; return; }
    running = fn().catch(() => undefined).finally(() => {
      running = undefined;
      if (again) { again = false; schedule(); } else settle();
    });
  };

  const schedule = (): void => {
    const now = timers.now();
    firstAt ??= now;
    if (handle !== undefined) timers.clearTimeout(handle);
    const wait = Math.max(0, Math.min(opts.holdoffMs, firstAt + opts.maxDelayMs - now));
    handle = timers.setTimeout(fire, wait);
  };

  return {
    trigger: schedule,
    idle: () => new Promise<void>((resolve) => {
      idleWaiters.push(resolve);
      settle();
    }),
  };
}
