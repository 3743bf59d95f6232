import { describe, expect, it } from '@jest/globals';
import { parseWindow, ruleOf } from './global-rate-limit.ts';

describe('parseWindow (Go durations, whole seconds)', () => {
  it.each([
    ['1s', 1], ['30s', 30], ['1m', 60], ['2m', 120], ['1h30m', 5400], ['1.5m', 90], ['1.9s', 1], ['1500ms', 1], ['0.5m', 30], ['168h', 604_800],
  ])('%s is %d s', (written, seconds) => {
    expect(parseWindow(written)?.value).toBe(seconds);
  });

  it.each(['', '0s', '500ms', '1', 'm', '-1m', '1 m', '1d', '169h', '1m30', '1.s.', 'abc'])('refuses %j', (written) => {
    expect(parseWindow(written)).toBeUndefined();
  });
});

describe('ruleOf', () => {
  it('is the Ingress UID, or namespace/name without one', () => {
    expect(ruleOf({ uid: '1f2e', namespace: 'shop', name: 'api' })).toBe('1f2e');
    expect(ruleOf({ uid: '', namespace: 'shop', name: 'api' })).toBe('shop/api');
  });
});
