import { describe, expect, it } from '@jest/globals';
import { allowedBytes, throttleStep } from './throttle-schedule.ts';

const limit = { bytesPerSecond: 1000, afterBytes: 5000 };

describe('the limit-rate schedule', () => {
  it('grants limit-rate-after and one second at once, then the rate (nginx limit_rate)', () => {
    expect(allowedBytes(limit, 0)).toBe(6000);
    expect(allowedBytes(limit, 500)).toBe(6500);
    expect(allowedBytes(limit, 10_000)).toBe(16_000);
  });

  it('sends a chunk that fits at once, without waiting', () => {
    expect(throttleStep(limit, 0, 6000, 0)).toEqual({ send: 6000, waitMs: 0 });
  });

  it('sends what is allowed and waits for the next tenth of a second\'s worth', () => {
    expect(throttleStep(limit, 0, 8000, 0)).toEqual({ send: 6000, waitMs: 100 });
    expect(throttleStep(limit, 6000, 2000, 100)).toEqual({ send: 100, waitMs: 100 });
    expect(throttleStep(limit, 6100, 50, 150)).toEqual({ send: 50, waitMs: 0 });
  });

  it('sends nothing when the body is ahead of the schedule, and waits only for the remainder when it is smaller than a slice', () => {
    expect(throttleStep(limit, 7000, 10, 500)).toEqual({ send: 0, waitMs: 510 });
  });

  it('adds up to the rate: 1 MB at 100 KB/s after 0 goes out over 9 s of waits, in slices of 10 KB', () => {
    const slow = { bytesPerSecond: 100 * 1024, afterBytes: 0 };
    let sent = 0;
    let at = 0;
    const sizes = new Set<number>();
    let pending = 1024 * 1024;
    while (pending > 0) {
      const step = throttleStep(slow, sent, pending, at);
      sent += step.send;
      pending -= step.send;
      if (step.send > 0 && at > 0) sizes.add(step.send);
      at += step.waitMs;
    }
    expect(at).toBe(9240);
    expect([...sizes].every((s) => s <= 10_241)).toBe(true);
  });
});
