import { describe, expect, it } from '@jest/globals';
import { TokenBuckets } from './rate-limit.ts';

describe('TokenBuckets', () => {
  it('passes burst + 1 at once, then refills at the rate', () => {
    const b = new TokenBuckets(2, 3);
    const taken = [0, 0, 0, 0, 0].map(() => b.take('a', 0));
    expect(taken).toEqual([true, true, true, true, false]);
    expect(b.take('a', 499)).toBe(false);
    expect(b.take('a', 500)).toBe(true);
    expect(b.take('b', 500)).toBe(true);
  });

  it('never holds more than its capacity after a long idle time', () => {
    const b = new TokenBuckets(1, 1);
    expect(b.take('a', 0)).toBe(true);
    const later = [0, 0, 0].map(() => b.take('a', 1_000_000));
    expect(later).toEqual([true, true, false]);
  });

  it('forgets refilled buckets once many addresses are tracked', () => {
    const b = new TokenBuckets(1, 0);
    for (let i = 0; i < 10_000; i++) b.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(b.size).toBe(10_000);
    b.take('192.0.2.1', 5_000);
    expect(b.size).toBe(1);
  });
});
