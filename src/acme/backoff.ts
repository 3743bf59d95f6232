// Per-name back-off of failed orders, persisted (backoff/<name>) so it survives restarts and
// leader changes: a name whose orders fail is retried after minutes, then hours — never in a loop
// that burns the CA's rate limits.
import { backoffKey } from './keys.ts';
import { NotFoundError } from './errors.ts';
import { backoffDelay, type BackoffPolicy } from './schedule.ts';
import type { LockHandle, Storage } from './storage.ts';

export interface BackoffRecord {
  readonly attempts: number;
  /** Unix milliseconds. */
  readonly nextAttemptAt: number;
  readonly lastError: string;
}

export async function loadBackoff(storage: Storage, name: string): Promise<BackoffRecord | undefined> {
  try {
    const v = JSON.parse((await storage.load(backoffKey(name))).toString('utf8')) as Partial<BackoffRecord>;
    return typeof v.attempts === 'number' && typeof v.nextAttemptAt === 'number' ? { attempts: v.attempts, nextAttemptAt: v.nextAttemptAt, lastError: v.lastError ?? '' } : undefined;
  } catch (err: unknown) {
    if (err instanceof NotFoundError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export async function recordFailure(
  storage: Storage, name: string, error: string, at: { now: number; random: number; policy: BackoffPolicy; fence: LockHandle },
): Promise<BackoffRecord> {
  const previous = await loadBackoff(storage, name);
  const attempts = (previous?.attempts ?? 0) + 1;
  const record: BackoffRecord = { attempts, nextAttemptAt: at.now + backoffDelay(attempts, at.policy, at.random), lastError: error };
  await storage.store(backoffKey(name), JSON.stringify(record), { fence: at.fence });
  return record;
}
