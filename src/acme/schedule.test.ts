import { describe, expect, it } from '@jest/globals';
import { backoffDelay, renewalTime } from './schedule.ts';

const DAY = 86_400_000;

describe('renewalTime', () => {
  it('renews at 2/3 of the lifetime, earlier by at most the jitter fraction', () => {
    expect(renewalTime(0, 90 * DAY, 0)).toBe(60 * DAY);
    expect(renewalTime(0, 45 * DAY, 0)).toBe(30 * DAY);
    expect(renewalTime(0, 90 * DAY, 1, 0.05)).toBe(60 * DAY - 4.5 * DAY);
  });
});

describe('backoffDelay', () => {
  const policy = { baseMs: 5 * 60_000, maxMs: 12 * 3_600_000 };
  it('doubles from minutes to hours and stops at the cap', () => {
    expect(backoffDelay(1, policy, 0.5)).toBe(5 * 60_000);
    expect(backoffDelay(2, policy, 0.5)).toBe(10 * 60_000);
    expect(backoffDelay(5, policy, 0.5)).toBe(80 * 60_000);
    expect(backoffDelay(40, policy, 0.5)).toBe(12 * 3_600_000);
  });
  it('spreads by ±20%', () => {
    expect(backoffDelay(1, policy, 0)).toBe(4 * 60_000);
    expect(backoffDelay(1, policy, 1)).toBe(6 * 60_000);
  });
});
