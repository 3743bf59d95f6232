import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { silentLogger } from '../log/logger.ts';
import { createAcmeReadiness } from './acme-readiness.ts';

afterEach(() => { jest.useRealTimers(); });

describe('createAcmeReadiness', () => {
  it('is ready at once without ACME, or when told not to wait', () => {
    expect(createAcmeReadiness({ enabled: false, timeoutSeconds: 30, log: silentLogger }).ready()).toBe(true);
    expect(createAcmeReadiness({ enabled: true, timeoutSeconds: 0, log: silentLogger }).ready()).toBe(true);
  });

  it('with ACME, waits for the certificates to be loaded', () => {
    const r = createAcmeReadiness({ enabled: true, timeoutSeconds: 30, log: silentLogger });
    r.start();
    expect(r.ready()).toBe(false);
    r.loaded();
    expect(r.ready()).toBe(true);
  });

  it('is ready without them after the timeout, so etcd being down cannot keep every replica out', () => {
    jest.useFakeTimers();
    const r = createAcmeReadiness({ enabled: true, timeoutSeconds: 30, log: silentLogger });
    r.start();
    jest.advanceTimersByTime(29_999);
    expect(r.ready()).toBe(false);
    jest.advanceTimersByTime(1);
    expect(r.ready()).toBe(true);
  });
});
