// Storage (storage.ts) in etcd: every key under one prefix (etcd-prefix, default /bollard/acme/),
// one etcd key per stored value, locks from etcd-lock.ts, fenced writes as transactions that
// compare the lock key's create revision, TTL keys on their own non-renewed lease.
import type { Namespace } from 'etcd3';
import { createEtcdLocker } from './etcd-lock.ts';
import type { EtcdConnection } from './etcd-connection.ts';
import { FencedError, NotFoundError } from './errors.ts';
import type { LockHandle, PrefixWatch, StoreOptions, WatchHandlers, WatchableStorage } from './storage.ts';

export interface EtcdStorageOptions {
  readonly connection: EtcdConnection;
  /** Prefix of every key, e.g. "/bollard/acme/". */
  readonly prefix: string;
  /** Who holds locks, written into lock keys (the pod name). */
  readonly identity: string;
  /** Lease TTL of locks: how long a crashed holder blocks others. */
  readonly lockTtlSeconds?: number;
}

export interface EtcdStorage extends WatchableStorage {
  /** Releases every lock this storage holds (revokes their leases). close() of the connection does it too. */
  close(): Promise<void>;
}

const normalise = (prefix: string): string => (prefix.endsWith('/') ? prefix : `${prefix}/`);

function childrenOf(prefix: string, keys: readonly string[], recursive: boolean): string[] {
  if (recursive) return [...keys].sort();
  const children = new Set(keys.map((k) => `${prefix}/${k.slice(prefix.length + 1).split('/')[0] ?? ''}`));
  return [...children].sort();
}

async function putWithTtl(ns: Namespace, key: string, value: Buffer | string, ttlSeconds: number): Promise<void> {
  const lease = ns.lease(ttlSeconds, { autoKeepAlive: false });
  lease.on('lost', () => undefined);
  try {
    await ns.put(key).value(value).lease(await lease.grant());
  } finally {
    lease.release();
  }
}

export function createEtcdStorage(opts: EtcdStorageOptions): EtcdStorage {
  const ns = opts.connection.client.namespace(normalise(opts.prefix));
  const locker = createEtcdLocker(ns, { ttlSeconds: opts.lockTtlSeconds ?? 15, identity: opts.identity });
  const unregister = opts.connection.beforeClose(() => locker.releaseAll());
  const fenced = (fence: LockHandle) => ns.if(locker.keyOf(fence.name), 'Create', '==', fence.token);
  const refuse = (fence: LockHandle, key: string): never => {
    const err = new FencedError(fence.name, key);
    locker.markLost(fence, err);
    throw err;
  };

  return {
    lock: (name, signal) => locker.lock(name, signal),
    tryLock: (name) => locker.tryLock(name),
    unlock: (lock) => locker.unlock(lock),

    async store(key, value, o: StoreOptions = {}) {
      if (o.fence) {
        if (o.ttlSeconds !== undefined) throw new TypeError('store: fence and ttlSeconds cannot be combined');
        const res = await fenced(o.fence).then(ns.put(key).value(value)).commit();
        if (!res.succeeded) refuse(o.fence, key);
        return;
      }
      if (o.ttlSeconds !== undefined) return putWithTtl(ns, key, value, o.ttlSeconds);
      await ns.put(key).value(value);
    },

    async load(key) {
      const value = await ns.get(key).buffer();
      if (value === null) throw new NotFoundError(key);
      return value;
    },

    async delete(key, o = {}) {
      if (o.fence) {
        const res = await fenced(o.fence).then(ns.delete().key(key), ns.delete().prefix(`${key}/`)).commit();
        if (!res.succeeded) refuse(o.fence, key);
        return;
      }
      await ns.delete().key(key);
      await ns.delete().prefix(`${key}/`);
    },

    exists: (key) => ns.get(key).exists(),

    async list(prefix, recursive) {
      const keys = await ns.getAll().prefix(`${prefix}/`).keys();
      return childrenOf(prefix, keys, recursive);
    },

    async stat(key) {
      const res = await ns.get(key).exec();
      const kv = res.kvs[0];
      if (!kv) throw new NotFoundError(key);
      return { key, size: kv.value.length, modRevision: kv.mod_revision };
    },

    async watchPrefix(prefix, handlers: WatchHandlers): Promise<PrefixWatch> {
      const res = await ns.getAll().prefix(prefix).exec();
      handlers.initial(new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value])));
      const watcher = await ns.watch().prefix(prefix).startRevision((BigInt(res.header.revision) + 1n).toString()).create();
      watcher.on('put', (kv) => { handlers.change({ type: 'put', key: kv.key.toString(), value: kv.value }); });
      watcher.on('delete', (kv) => { handlers.change({ type: 'delete', key: kv.key.toString() }); });
      watcher.on('disconnected', () => handlers.connection?.(false));
      watcher.on('connected', () => handlers.connection?.(true));
      watcher.on('error', () => handlers.connection?.(false));
      return { close: () => watcher.cancel() };
    },

    async close() {
      unregister();
      await locker.releaseAll();
    },
  };
}
