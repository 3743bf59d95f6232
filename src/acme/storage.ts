// The storage contract of ACME state, shaped after certmagic's Storage (storage.go): plain
// key/value operations plus named locks. Keys are slash-separated paths ("certificates/a.example/
// cert.pem"); keys.ts holds the layout. Implementations: etcd-storage.ts.

/** What stat() tells about a key. */
export interface KeyInfo {
  readonly key: string;
  /** Bytes in the value. */
  readonly size: number;
  /** A store-wide, monotonically increasing version of the last write (etcd mod_revision). */
  readonly modRevision: string;
}

/**
 * A held lock. `token` is a fencing token: it increases with every new holder of the same name,
 * so a write fenced with an old token is refused after someone else took the lock over.
 */
export interface LockHandle {
  readonly name: string;
  readonly token: string;
  /** Aborted when the lock is lost: its lease expired or was revoked, or a fenced write was refused. */
  readonly lost: AbortSignal;
  /**
   * False once the lease may have expired although `lost` has not fired yet: no keep-alive was
   * confirmed within the TTL (this process was paused, or starved, past it). Absent: no lease.
   */
  readonly leaseValid?: () => boolean;
}

export interface StoreOptions {
  /** The key vanishes this many seconds after the write, whatever happens to the writer. */
  readonly ttlSeconds?: number;
  /** Write only while `fence` is still the current holder of its lock; else FencedError. */
  readonly fence?: LockHandle;
}

export interface Locker {
  /**
   * Acquires the lock `name`, waiting while another holder has it. The lock is held by a lease:
   * if this process dies, it is released by itself within the lease TTL. Rejects with
   * LockAbortedError when `signal` aborts first. Locks are not reentrant: a second lock() of a
   * name this process holds waits like anyone else.
   */
  lock(name: string, signal?: AbortSignal): Promise<LockHandle>;
  /** Like lock(), but resolves undefined at once when another holder has it. */
  tryLock(name: string): Promise<LockHandle | undefined>;
  /** Releases a lock obtained from this Locker. Releasing a lost lock is not an error. */
  unlock(lock: LockHandle): Promise<void>;
}

export interface Storage extends Locker {
  /** Writes `value` at `key`, creating or replacing it. Atomic: readers see the old or the new value. */
  store(key: string, value: Buffer | string, opts?: StoreOptions): Promise<void>;
  /** The value at `key`; rejects with NotFoundError when there is none. */
  load(key: string): Promise<Buffer>;
  /**
   * Deletes `key` and every key below it (`key/...`). Deleting nothing is not an error: it
   * rejects only when the key may still exist afterwards (or with FencedError when fenced).
   */
  delete(key: string, opts?: { readonly fence?: LockHandle }): Promise<void>;
  /** True when `key` holds a value. */
  exists(key: string): Promise<boolean>;
  /**
   * Keys below `prefix` (a path without a trailing slash), sorted. Recursive: every key below.
   * Not recursive: the direct children, as `prefix/child`, whether values or "directories".
   */
  list(prefix: string, recursive: boolean): Promise<string[]>;
  /** Size and version of `key`; rejects with NotFoundError when there is none. */
  stat(key: string): Promise<KeyInfo>;
}

/** A change below a watched prefix, delivered in store order. */
export type WatchChange =
  | { readonly type: 'put'; readonly key: string; readonly value: Buffer }
  | { readonly type: 'delete'; readonly key: string };

export interface PrefixWatch {
  close(): Promise<void>;
}

export interface WatchHandlers {
  /** Every key and value below the prefix at the start; called before any change. */
  readonly initial: (entries: ReadonlyMap<string, Buffer>) => void;
  readonly change: (change: WatchChange) => void;
  /** The connection to the store broke or came back; caches keep serving what they have. */
  readonly connection?: (connected: boolean) => void;
}

/** Storage that can stream changes, so every replica keeps a local cache (challenges, certificates). */
export interface WatchableStorage extends Storage {
  /** Lists then watches `prefix` from the listed revision: no change is lost in between. */
  watchPrefix(prefix: string, handlers: WatchHandlers): Promise<PrefixWatch>;
}
