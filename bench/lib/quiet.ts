// On a shared machine other work comes in bursts. Before each measured run, wait (briefly) for a
// moment when the machine is nearly idle — between runs the benchmark's own processes are idle,
// so any load is someone else's. Waits are capped per run and in total, so a machine that never
// calms down costs a bounded delay; every sample still records the other work during its run.
import { setTimeout as sleep } from 'node:timers/promises';
import { busyCpuSeconds, readCpuTimes } from './proc.ts';

export interface QuietOptions {
  /** Quiet means the whole machine was busy less than this, in % of one core, over a window. */
  readonly maxBusyPct: number;
  readonly windowMs: number;
  readonly maxWaitPerRunMs: number;
  readonly totalBudgetMs: number;
}

export const defaultQuietOptions: QuietOptions = { maxBusyPct: 30, windowMs: 200, maxWaitPerRunMs: 4_000, totalBudgetMs: 90_000 };

export class QuietGate {
  private spentMs = 0;
  private readonly o: QuietOptions;

  constructor(o: QuietOptions = defaultQuietOptions) {
    this.o = o;
  }

  /** Resolves with the milliseconds waited (0 when already quiet or out of budget). */
  async wait(): Promise<number> {
    const started = performance.now();
    const limit = Math.min(this.o.maxWaitPerRunMs, this.o.totalBudgetMs - this.spentMs);
    while (performance.now() - started < limit) {
      const before = await readCpuTimes();
      await sleep(this.o.windowMs);
      const busyPct = (100 * busyCpuSeconds(before, await readCpuTimes())) / (this.o.windowMs / 1000);
      if (busyPct < this.o.maxBusyPct) break;
    }
    const waited = performance.now() - started;
    // The first quiet window is a cost every run pays, not waiting for others.
    const extra = Math.max(0, waited - this.o.windowMs);
    this.spentMs += extra;
    return Math.round(extra);
  }

  spentSeconds(): number {
    return Math.round(this.spentMs / 1000);
  }
}
