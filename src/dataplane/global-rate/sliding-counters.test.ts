import { describe, expect, it } from '@jest/globals';
import { SlidingCounters } from './sliding-counters.ts';

const W = 60; // seconds
const T0 = 1_000 * W * 1000; // the start of window 1000
const K = 'r\n60\nk'; // counterId('r', 60, 'k')

const admitMany = (c: SlidingCounters, n: number, limit: number, at: number, key = 'k'): number => {
  let admitted = 0;
  for (let i = 0; i < n; i++) if (c.admit('r', key, limit, W, at) === 'admitted') admitted++;
  return admitted;
};

describe('SlidingCounters', () => {
  it('admits `limit` requests in a fresh window and refuses the rest without counting them', () => {
    const c = new SlidingCounters();
    expect(admitMany(c, 8, 5, T0)).toBe(5);
    expect(c.takeItems(T0)).toEqual([
      { counter: K, windowSeconds: W, window: 1000, count: 5 },
      { counter: K, windowSeconds: W, window: 999, count: 0 },
    ]);
  });

  it('counts the other replicas\' totals once they come back, and requests admitted meanwhile', () => {
    const c = new SlidingCounters();
    expect(admitMany(c, 2, 10, T0)).toBe(2);
    const items = c.takeItems(T0);
    // While the answer is awaited, the two sent still count.
    expect(admitMany(c, 1, 10, T0)).toBe(1);
    // The other replicas admitted 6 in this window: 2 (ours) + 6 = 8.
    c.applyTotals(items, [8, 0]);
    expect(admitMany(c, 5, 10, T0 + 1)).toBe(1); // 8 + 1 admitted since + 1 = 10
  });

  it('weighs the previous window by the share of it still inside the sliding window', () => {
    const c = new SlidingCounters();
    expect(admitMany(c, 10, 10, T0)).toBe(10);
    c.applyTotals(c.takeItems(T0), [10, 0]);
    // A quarter into the next window, 3/4 of the previous 10 still count: 7.5 → 2 more fit.
    expect(admitMany(c, 5, 10, T0 + 0.25 * W * 1000 + W * 1000)).toBe(2);
    // At the start of the window after, the 2 of the previous window count whole; the first 10 no more.
    expect(admitMany(c, 12, 10, T0 + 2 * W * 1000)).toBe(8);
  });

  it('sends the same cumulative count again after a failed exchange, with what came since', () => {
    const c = new SlidingCounters();
    admitMany(c, 3, 10, T0);
    expect(c.takeItems(T0).find((i) => i.window === 1000)?.count).toBe(3);
    // No answer: nothing to restore; the next exchange sends the whole count.
    admitMany(c, 1, 10, T0);
    const items = c.takeItems(T0 + 1);
    expect(items.find((i) => i.window === 1000)?.count).toBe(4);
    c.applyTotals(items, [4, 0]);
    // Answered: a later exchange sends nothing for it (no new counts, no request since).
    expect(c.takeItems(T0 + 2)).toEqual([]);
  });

  it('keeps counters apart, and forgets windows two windows old', () => {
    const c = new SlidingCounters();
    expect(c.admit('r', 'a', 1, W, T0)).toBe('admitted');
    expect(c.admit('r', 'a', 1, W, T0)).toBe('refused');
    expect(c.admit('r', 'b', 1, W, T0)).toBe('admitted');
    c.applyTotals(c.takeItems(T0), [1, 0, 1, 0]);
    expect(c.size).toBe(4);
    c.takeItems(T0 + 2 * W * 1000);
    expect(c.size).toBe(0);
  });
});

describe('SlidingCounters reads', () => {
  it('reads the total of a counter asked for since the last exchange, and of a quiet one no more', () => {
    const c = new SlidingCounters({ settleMs: 5_000 });
    c.admit('r', 'k', 10, W, T0);
    c.applyTotals(c.takeItems(T0), [1, 0]);
    // A request refused or admitted since the last exchange: read again (the previous window too, unsettled).
    c.admit('r', 'k', 0, W, T0 + 1_000);
    expect(c.takeItems(T0 + 2_000)).toEqual([
      { counter: K, windowSeconds: W, window: 1000, count: 1 },
      { counter: K, windowSeconds: W, window: 999, count: 0 },
    ]);
    // No request here since: not read.
    expect(c.takeItems(T0 + 3_000)).toEqual([]);
  });

  it('reads the previous window with the current one until a read made settleMs after it ended', () => {
    const c = new SlidingCounters({ settleMs: 5_000 });
    const previous = (at: number): boolean => {
      c.admit('r', 'k', 100, W, at);
      return c.takeItems(at).some((i) => i.window === 999);
    };
    expect(previous(T0 + 1_000)).toBe(true);
    expect(previous(T0 + 5_000)).toBe(true); // read at 5 s: settled from now on
    expect(previous(T0 + 6_000)).toBe(false);
  });
});

describe('SlidingCounters bound', () => {
  it('lets a new key through uncounted once its rule holds as many windows as it may; known keys still count', () => {
    const c = new SlidingCounters({ maxWindowsPerRule: 2 });
    expect(c.admit('r', 'a', 1, W, T0)).toBe('admitted');
    expect(c.admit('r', 'b', 1, W, T0)).toBe('admitted');
    expect(c.admit('r', 'c', 1, W, T0)).toBe('untracked');
    expect(c.admit('r', 'a', 1, W, T0)).toBe('refused');
    expect(c.size).toBe(2);
  });

  it('keeps counting the other rules while one rule\'s keys fill its budget', () => {
    const c = new SlidingCounters({ maxWindowsPerRule: 100 });
    for (let i = 0; i < 1_000; i++) c.admit('flooded', `client-${i}`, 1, W, T0);
    expect(c.admit('flooded', 'new', 1, W, T0)).toBe('untracked');
    expect(c.admit('other', 'k', 1, W, T0)).toBe('admitted');
    expect(c.admit('other', 'k', 1, W, T0)).toBe('refused');
    expect(c.admit('other', 'k2', 1, W, T0)).toBe('admitted');
    // Once the flooded rule's windows are forgotten, its new keys count again.
    c.takeItems(T0 + 2 * W * 1000);
    expect(c.admit('flooded', 'new', 1, W, T0 + 2 * W * 1000)).toBe('admitted');
  });
});
