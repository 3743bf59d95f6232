// Named locks in etcd, each held by its own lease: the lock key is created only if absent
// (CreateRevision == 0) and bound to the lease, so it vanishes when the holder unlocks (revoke)
// or dies (TTL). The key's create revision is the fencing token: a later holder always gets a
// larger one, and fenced writes compare it in the same transaction. A handle's lease counts as
// valid for one TTL after the last keep-alive etcd confirmed (timed from when it was sent, on the
// monotonic clock), so a holder paused past its TTL knows it before etcd3 reports the loss.
import type { Lease, Namespace } from 'etcd3';
import { LockAbortedError, LockLostError } from './errors.ts';
import type { LockHandle, Locker } from './storage.ts';

export interface EtcdLockerOptions {
  readonly ttlSeconds: number;
  /** Written as the lock key's value, for operators reading etcd. */
  readonly identity: string;
  readonly now?: () => number;
  /** Monotonic milliseconds, for lease validity; performance.now() by default. */
  readonly monotonicNow?: () => number;
}

export interface EtcdLocker extends Locker {
  /** The etcd key of a lock name, for fenced transactions. */
  keyOf(name: string): string;
  /** Marks a handle lost (a fenced write found a newer holder) and drops its lease. */
  markLost(lock: LockHandle, reason: Error): void;
  /** Revokes every lease still held; run before the client closes. */
  releaseAll(): Promise<void>;
}

interface Held {
  readonly lease: Lease;
  readonly lost: AbortController;
}

const nextRevision = (rev: string): string => (BigInt(rev) + 1n).toString();

function waitForDelete(ns: Namespace, key: string, afterRevision: string, maxMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      void watching.then((w) => w?.cancel()).catch(() => undefined);
      resolve();
    };
    const timer = setTimeout(finish, maxMs);
    signal?.addEventListener('abort', finish, { once: true });
    const watching = ns.watch().key(key).startRevision(nextRevision(afterRevision)).only('delete').create()
      .then((w) => { w.once('delete', finish); w.once('error', finish); return w; }, () => { finish(); return undefined; });
  });
}

export function createEtcdLocker(ns: Namespace, opts: EtcdLockerOptions): EtcdLocker {
  const held = new Map<LockHandle, Held>();
  const now = opts.now ?? Date.now;
  const monotonicNow = opts.monotonicNow ?? (() => performance.now());
  const keyOf = (name: string): string => `locks/${encodeURIComponent(name)}`;

  const drop = (lock: LockHandle, reason: Error): void => {
    const h = held.get(lock);
    if (!h) return;
    held.delete(lock);
    h.lost.abort(reason);
    h.lease.revoke().catch(() => undefined);
  };

  /** Valid until one TTL after the last confirmed keep-alive was sent (the grant's, at first). */
  const trackLease = (lease: Lease): () => boolean => {
    let confirmedSentAt = monotonicNow();
    let lastSentAt = confirmedSentAt;
    lease.on('keepaliveFired', () => { lastSentAt = monotonicNow(); });
    lease.on('keepaliveSucceeded', () => { confirmedSentAt = lastSentAt; });
    return () => monotonicNow() - confirmedSentAt < opts.ttlSeconds * 1000;
  };

  const attempt = async (name: string, lease: Lease, leaseValid: () => boolean): Promise<{ handle?: LockHandle; revision: string }> => {
    const id = await lease.grant();
    const key = keyOf(name);
    const value = JSON.stringify({ holder: opts.identity, since: new Date(now()).toISOString() });
    const res = await ns.if(key, 'Create', '==', 0).then(ns.put(key).value(value).lease(id)).commit();
    if (!res.succeeded) return { revision: res.header.revision };
    const lost = new AbortController();
    const handle: LockHandle = { name, token: res.header.revision, lost: lost.signal, leaseValid };
    held.set(handle, { lease, lost });
    lease.on('lost', (err) => { drop(handle, new LockLostError(`lock ${name} lost: ${err.message}`)); });
    return { handle, revision: res.header.revision };
  };

  const acquire = async (name: string, wait: boolean, signal?: AbortSignal): Promise<LockHandle | undefined> => {
    const lease = ns.lease(opts.ttlSeconds);
    lease.on('lost', () => undefined);
    const leaseValid = trackLease(lease);
    try {
      for (;;) {
        if (signal?.aborted) throw new LockAbortedError(`waiting for lock ${name} aborted`);
        const { handle, revision } = await attempt(name, lease, leaseValid);
        if (handle) return handle;
        if (!wait) break;
        await waitForDelete(ns, keyOf(name), revision, opts.ttlSeconds * 1000, signal);
      }
    } catch (err: unknown) {
      await lease.revoke().catch(() => undefined);
      throw err;
    }
    await lease.revoke().catch(() => undefined);
    return undefined;
  };

  return {
    keyOf,
    lock: async (name, signal) => (await acquire(name, true, signal)) as LockHandle,
    tryLock: (name) => acquire(name, false),
    async unlock(lock) {
      const h = held.get(lock);
      if (!h) return;
      held.delete(lock);
      h.lost.abort(new LockLostError(`lock ${lock.name} released`));
      await h.lease.revoke();
    },
    markLost: drop,
    async releaseAll() {
      const all = [...held.entries()];
      held.clear();
      await Promise.allSettled(all.map(([lock, h]) => {
        h.lost.abort(new LockLostError(`lock ${lock.name} released at close`));
        return h.lease.revoke();
      }));
    },
  };
}
