// HTTP-01 challenge records in shared storage (certmagic's distributed solver, solvers.go): the
// issuer writes the key authorization under challenges/http-01/<token> with a TTL, so the record
// vanishes after validation or when the issuer dies, and any replica can answer the CA.
import { challengeKey } from './keys.ts';
import type { Storage } from './storage.ts';

export interface Http01Record {
  readonly keyAuthorization: string;
  /** The DNS name being validated; replicas answer only for this Host. */
  readonly name: string;
}

export const HTTP01_TTL_SECONDS = 600;

export function publishHttp01(storage: Storage, token: string, record: Http01Record, ttlSeconds = HTTP01_TTL_SECONDS): Promise<void> {
  return storage.store(challengeKey(token), JSON.stringify(record), { ttlSeconds });
}

export function withdrawHttp01(storage: Storage, token: string): Promise<void> {
  return storage.delete(challengeKey(token));
}

export function parseHttp01(value: Buffer): Http01Record | undefined {
  try {
    const v = JSON.parse(value.toString('utf8')) as Partial<Http01Record>;
    return typeof v.keyAuthorization === 'string' && typeof v.name === 'string' ? { keyAuthorization: v.keyAuthorization, name: v.name } : undefined;
  } catch {
    return undefined;
  }
}
