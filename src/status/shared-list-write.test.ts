import { describe, expect, it } from '@jest/globals';
import { conflictBackoffMs } from './shared-list-write.ts';

describe('conflictBackoffMs', () => {
  it('doubles from 25 ms to a cap of 800 ms, jittered within the upper half', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => conflictBackoffMs(n, () => 1))).toEqual([25, 50, 100, 200, 400, 800, 800, 800]);
    expect([1, 2, 3, 6].map((n) => conflictBackoffMs(n, () => 0))).toEqual([13, 25, 50, 400]);
  });
});
