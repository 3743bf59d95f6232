// The fence before each call to the CA: an order belongs to the holder of its name's lock, and a
// leader that was paused past its lease (SIGSTOP, a long GC, a starved node) must not go on with
// it, even before the keep-alive that would report the loss has run. Storage writes are fenced
// by etcd itself (the lock's revision); calls to the CA have only this check.
import { LockLostError } from './errors.ts';
import type { LockHandle } from './storage.ts';

/** Throws LockLostError unless `lock` is still held with a lease not known to have run out. */
export function assertLockHeld(lock: LockHandle, what: string): void {
  if (lock.lost.aborted) throw new LockLostError(`lock ${lock.name} lost before ${what}`);
  if (lock.leaseValid?.() === false) throw new LockLostError(`lease of lock ${lock.name} may have expired before ${what}`);
}

/** Runs the CA call `call` only while `lock` holds (checked right before it starts). */
export async function fenced<T>(lock: LockHandle, what: string, call: () => Promise<T>): Promise<T> {
  assertLockHeld(lock, what);
  return call();
}
