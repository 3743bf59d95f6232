import { describe, expect, it } from '@jest/globals';
import { createDebouncer, type Timers } from './debouncer.ts';

/** Manually driven timers: advance(ms) fires what is due, in order. */
function manualTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => { seq += 1; pending.set(seq, { at: now + ms, fn }); return seq; },
    clearTimeout: (h) => { pending.delete(h as number); },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const next = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > until) break;
        pending.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = until;
    },
  };
}

const flush = (): Promise<void> => new Promise((r) => { setImmediate(r); });

describe('debouncer', () => {
  it('runs once after a quiet hold-off, coalescing a burst', async () => {
    const timers = manualTimers();
    let runs = 0;
    const d = createDebouncer({ holdoffMs: 10, maxDelayMs: 100, timers }, () => { runs += 1; return Promise.resolve(); });
    d.trigger(); timers.advance(5); d.trigger(); timers.advance(5); d.trigger();
    timers.advance(9);
    expect(runs).toBe(0);
    timers.advance(1);
    await flush();
    expect(runs).toBe(1);
  });

  it('never waits longer than the max delay under a continuous stream', async () => {
    const timers = manualTimers();
    const ranAt: number[] = [];
    const d = createDebouncer({ holdoffMs: 10, maxDelayMs: 30, timers }, () => { ranAt.push(timers.now()); return Promise.resolve(); });
    for (let t = 0; t < 35; t += 5) { d.trigger(); timers.advance(5); }
    await flush();
    expect(ranAt).toEqual([30]);
  });

  it('does not overlap runs: a trigger during a run schedules exactly one more', async () => {
    const timers = manualTimers();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const d = createDebouncer({ holdoffMs: 1, maxDelayMs: 5, timers }, async () => {
      active += 1; runs += 1; maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => { release = r; });
      active -= 1;
    });
    d.trigger(); timers.advance(1);
    d.trigger(); timers.advance(1); d.trigger(); timers.advance(1);
    expect(runs).toBe(1);
    release(); await flush(); timers.advance(1); await flush();
    expect(runs).toBe(2);
    release(); await d.idle();
    expect(maxActive).toBe(1);
  });
});
