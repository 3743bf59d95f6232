// The fence before each CA call: a lock lost mid-order (its lease ran out while the leader was
// paused, before etcd3 reported it; or reported lost) stops the order before the next CA call.
import { describe, expect, it } from '@jest/globals';
import type { AcmeClient } from './acme-client.ts';
import { LockLostError, NotFoundError } from './errors.ts';
import { orderKeys } from './keys.ts';
import { obtainCertificate, type ChallengeSolver } from './order.ts';
import type { LockHandle, Storage } from './storage.ts';

function memoryStorage(): Storage {
  const values = new Map<string, Buffer>();
  const unused = (): Promise<never> => Promise.reject(new Error('not used here'));
  return {
    store: (key, value) => { values.set(key, Buffer.from(value)); return Promise.resolve(); },
    load: (key) => { const v = values.get(key); return v ? Promise.resolve(v) : Promise.reject(new NotFoundError(key)); },
    delete: (key) => { for (const k of [...values.keys()]) if (k === key || k.startsWith(`${key}/`)) values.delete(k); return Promise.resolve(); },
    exists: (key) => Promise.resolve(values.has(key)),
    list: unused, stat: unused, lock: unused, tryLock: unused, unlock: unused,
  };
}

/** A CA that records each call and would issue if asked to the end. */
function recordingCa(calls: string[]): AcmeClient {
  const order = { url: 'https://ca.test/order/1', status: 'pending', identifiers: [{ type: 'dns', value: 'a.test' }], authorizations: [], finalize: 'https://ca.test/finalize/1' };
  const call = <T>(name: string, value: T): Promise<T> => { calls.push(name); return Promise.resolve(value); };
  const ca = {
    createOrder: () => call('createOrder', order),
    getOrder: () => call('getOrder', { ...order, status: 'ready' }),
    getAuthorizations: () => call('getAuthorizations', [{
      status: 'pending', identifier: { type: 'dns', value: 'a.test' },
      challenges: [{ type: 'http-01', status: 'pending', token: 'tok', url: 'https://ca.test/chall/1' }],
    }]),
    getChallengeKeyAuthorization: () => Promise.resolve('tok.thumbprint'),
    completeChallenge: () => call('completeChallenge', {}),
    waitForValidStatus: () => call('waitForValidStatus', {}),
    finalizeOrder: () => call('finalizeOrder', { ...order, status: 'valid' }),
    getCertificate: () => call('getCertificate', 'PEM'),
  };
  return ca as unknown as AcmeClient;
}

interface FakeLock { readonly handle: LockHandle; expireLease(): void; lose(): void }

function fakeLock(): FakeLock {
  const lost = new AbortController();
  let leaseValid = true;
  return {
    handle: { name: 'certificates/a.test', token: '7', lost: lost.signal, leaseValid: () => leaseValid },
    expireLease: () => { leaseValid = false; },
    lose: () => { lost.abort(new LockLostError('lease revoked')); },
  };
}

/** An http-01 solver that runs `during` while the challenge is presented (the leader "pauses" there). */
function solver(during: () => void, withdrawn: string[]): ChallengeSolver {
  return {
    type: 'http-01',
    present: (_name, token) => {
      during();
      return Promise.resolve(() => { withdrawn.push(token); return Promise.resolve(); });
    },
  };
}

describe('obtainCertificate with a lock lost mid-order', () => {
  it.each([
    ['its lease ran out while the holder was paused (not yet reported)', (l: FakeLock) => { l.expireLease(); }],
    ['the lock was reported lost', (l: FakeLock) => { l.lose(); }],
  ])('makes no further CA call when %s', async (_what, loseIt) => {
    const calls: string[] = [];
    const withdrawn: string[] = [];
    const lock = fakeLock();
    const obtained = obtainCertificate('a.test', {
      client: recordingCa(calls), storage: memoryStorage(), lock: lock.handle, now: () => 0,
      solver: solver(() => { loseIt(lock); }, withdrawn),
    });
    await expect(obtained).rejects.toThrow(LockLostError);
    expect(calls).toEqual(['createOrder', 'getAuthorizations']);
    // The challenge answer it published is still withdrawn.
    expect(withdrawn).toEqual(['tok']);
  });

  it('calls the CA to the end while the lock holds', async () => {
    const calls: string[] = [];
    const got = await obtainCertificate('a.test', {
      client: recordingCa(calls), storage: memoryStorage(), lock: fakeLock().handle, now: () => 0, solver: solver(() => undefined, []),
    });
    expect(got.certPem).toBe('PEM');
    expect(calls).toEqual(['createOrder', 'getAuthorizations', 'completeChallenge', 'waitForValidStatus', 'getOrder', 'finalizeOrder', 'getCertificate']);
  });

  it('does not even resume a stored order with a lock already lost', async () => {
    const calls: string[] = [];
    const storage = memoryStorage();
    await storage.store(orderKeys('a.test').order, JSON.stringify({ url: 'https://ca.test/order/1', name: 'a.test', createdAt: '' }));
    await storage.store(orderKeys('a.test').key, 'KEY');
    const lock = fakeLock();
    lock.expireLease();
    await expect(obtainCertificate('a.test', { client: recordingCa(calls), storage, lock: lock.handle, now: () => 0, solver: solver(() => undefined, []) }))
      .rejects.toThrow(LockLostError);
    expect(calls).toEqual([]);
  });
});
