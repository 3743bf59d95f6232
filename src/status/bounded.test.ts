import { describe, expect, it } from '@jest/globals';
import { allBounded } from './bounded.ts';

describe('allBounded', () => {
  it('runs every task with no more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    const tasks = Array.from({ length: 20 }, (_, i) => async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => { setImmediate(resolve); });
      inFlight -= 1;
      done.push(i);
    });
    await allBounded(tasks, 3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
  });

  it('resolves at once with no tasks', async () => {
    await expect(allBounded([], 4)).resolves.toBeUndefined();
  });
});
