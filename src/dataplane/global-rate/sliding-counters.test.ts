import { describe, expect, it } from '@jest/globals';
import { SlidingCounters } from './sliding-counters.ts';

const W = 60; // seconds
const T0 = 1_000 * W * 1000; // the start of window 1000

const admitMany = (c: SlidingCounters, n: number, limit: number, at: number): number => {
  let admitted = 0;
  for (let i = 0; i < n; i++) if (c.admit('k', limit, W, at) === 'admitted') admitted++;
  return admitted;
};

describe('SlidingCounters', () => {
  it('admits `limit` requests in a fresh window and refuses the rest without counting them', () => {
    const c = new SlidingCounters();
    expect(admitMany(c, 8, 5, T0)).toBe(5);
    const items = c.takeDeltas(T0);
    expect(items).toEqual([
      { counter: 'k', windowSeconds: W, window: 1000, delta: 5 },
      { counter: 'k', windowSeconds: W, window: 999, delta: 0 },
    ]);
  });

  it('counts the other replicas\' totals once they come back, and in-flight requests meanwhile', () => {
    const c = new SlidingCounters();
    expect(admitMany(c, 2, 10, T0)).toBe(2);
    const items = c.takeDeltas(T0);
    // While the answer is awaited, the two sent still count.
    expect(admitMany(c, 1, 10, T0)).toBe(1);
    // The other replicas admitted 6 in this window: 2 (ours) + 6 = 8.
    c.applyTotals(items, [8, 0]);
    expect(admitMany(c, 5, 10, T0 + 1)).toBe(1); // 8 + 1 pending + 1 = 10
  });

  it('weighs the previous window by the share of it still inside the sliding window', () => {
    const c = new SlidingCounters();
    expect(admitMany(c, 10, 10, T0)).toBe(10);
    const items = c.takeDeltas(T0);
    c.applyTotals(items, [10, 0]);
    // A quarter into the next window, 3/4 of the previous 10 still count: 7.5 → 2 more fit.
    expect(admitMany(c, 5, 10, T0 + 0.25 * W * 1000 + W * 1000)).toBe(2);
    // At the start of the window after, the 2 of the previous window count whole; the first 10 no more.
    expect(admitMany(c, 12, 10, T0 + 2 * W * 1000)).toBe(8);
  });

  it('keeps counts of a failed exchange for the next one', () => {
    const c = new SlidingCounters();
    admitMany(c, 3, 10, T0);
    const first = c.takeDeltas(T0);
    c.restore(first);
    admitMany(c, 1, 10, T0);
    expect(c.takeDeltas(T0).find((i) => i.window === 1000)?.delta).toBe(4);
  });

  it('keeps counters apart, and forgets windows two windows old', () => {
    const c = new SlidingCounters();
    expect(c.admit('a', 1, W, T0)).toBe('admitted');
    expect(c.admit('a', 1, W, T0)).toBe('refused');
    expect(c.admit('b', 1, W, T0)).toBe('admitted');
    c.applyTotals(c.takeDeltas(T0), [1, 0, 1, 0]);
    expect(c.size).toBe(4);
    c.takeDeltas(T0 + 2 * W * 1000);
    expect(c.size).toBe(0);
  });
});

describe('SlidingCounters freshness', () => {
  it('reads the total of a counter asked for lately at every exchange, and of a quiet one no more', () => {
    const c = new SlidingCounters();
    c.admit('k', 10, W, T0);
    c.applyTotals(c.takeDeltas(T0), [1, 0]);
    expect(c.takeDeltas(T0 + 5_000)).toEqual([
      { counter: 'k', windowSeconds: W, window: 1000, delta: 0 },
      { counter: 'k', windowSeconds: W, window: 999, delta: 0 },
    ]);
    expect(c.takeDeltas(T0 + 20_000)).toEqual([]);
  });
});

describe('SlidingCounters bound', () => {
  it('lets a new key through uncounted once it holds as many windows as it may; known keys still count', () => {
    const c = new SlidingCounters(2);
    expect(c.admit('a', 1, W, T0)).toBe('admitted');
    expect(c.admit('b', 1, W, T0)).toBe('admitted');
    expect(c.admit('c', 1, W, T0)).toBe('untracked');
    expect(c.admit('a', 1, W, T0)).toBe('refused');
    expect(c.size).toBe(2);
  });
});
