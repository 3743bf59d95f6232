import { afterEach, describe, expect, it } from '@jest/globals';
import type { CountItem } from './count-sync.ts';
import { createGlobalRateLimits, type GlobalRateLimits } from './global-rate-limits.ts';

const T0 = 1_000 * 60_000;
let limits: GlobalRateLimits | undefined;
afterEach(() => { limits?.stop(); });

describe('createGlobalRateLimits', () => {
  it('sends what it admitted at flush, applies the totals, and refuses over the limit', async () => {
    const sent: CountItem[][] = [];
    let rejections = 0;
    limits = createGlobalRateLimits({
      sync: (items) => { sent.push([...items]); return Promise.resolve(items.map((i) => i.count + 2)); },
      intervalMs: 3_600_000, status: 429, now: () => T0, onRejection: () => { rejections++; },
    });
    expect([limits.admit('r', 3, 60, 'k'), limits.admit('r', 3, 60, 'other')]).toEqual([true, true]);
    await limits.flush();
    expect(sent[0]?.filter((i) => i.count > 0).map((i) => i.counter)).toEqual(['r\n60\nk', 'r\n60\nother']);
    // Two more from the other replicas: 3 in all for k.
    expect(limits.admit('r', 3, 60, 'k')).toBe(false);
    expect(rejections).toBe(1);
    expect(limits.status).toBe(429);
  });

  it('keeps the counts of a failed exchange and sends them with the next', async () => {
    const failures: unknown[] = [];
    let fail = true;
    const deltas: number[] = [];
    limits = createGlobalRateLimits({
      sync: (items) => {
        deltas.push(items.reduce((sum, i) => sum + i.count, 0));
        return fail ? Promise.reject(new Error('no answer')) : Promise.resolve(items.map((i) => i.count));
      },
      intervalMs: 3_600_000, status: 429, now: () => T0, onSyncFailure: (err) => { failures.push(err); },
    });
    limits.admit('r', 10, 60, 'k');
    await limits.flush();
    fail = false;
    limits.admit('r', 10, 60, 'k');
    await limits.flush();
    expect(deltas).toEqual([1, 2]);
    expect(failures).toHaveLength(1);
  });
});
