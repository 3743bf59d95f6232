// Digest nonces made and checked without shared state: a nonce is its issue time, random bytes and
// an HMAC of both. The HMAC key is derived from the realm and the users' HA1s, which every replica and
// worker holds alike (the route's chain), so a nonce one process issued is good in any other, and a
// changed Secret retires the old nonces. Only the replay memory (a nonce count seen twice) is per
// process: a replay sent to another process is not caught (docs/migration.md says so).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** nginx's digest module: a challenge's nonce is good for 60 s (auth_digest_timeout). */
export const NONCE_LIFETIME_SECONDS = 60;
/** nginx's digest module: at most 20 requests on one nonce (auth_digest_replays). */
export const NONCE_MAX_USES = 20;
/** Issue times this far ahead of our clock are accepted (replicas' clocks differ a little). */
const CLOCK_SKEW_SECONDS = 5;
/** Nonce counts remembered per generation; when full, the generation turns early. */
const MAX_REMEMBERED = 50_000;
const NONCE = /^([0-9a-f]{8})([0-9a-f]{16})([0-9a-f]{32})$/;

export type NonceVerdict = 'fresh' | 'stale';

export interface NonceBook {
  issue(): string;
  /** fresh: ours, within its lifetime and uses, and this count not seen before; otherwise stale. */
  check(nonce: string, count: number): NonceVerdict;
}

/** `now` in milliseconds (a parameter, so tests drive the clock). */
export function nonceBook(realm: string, users: readonly (readonly [string, string])[], now: () => number = Date.now): NonceBook {
  const key = createHash('sha256').update(`bollard digest nonce\0${realm}\0${JSON.stringify(users)}`).digest();
  const mac = (time: string, random: string): string => createHmac('sha256', key).update(time + random).digest('hex').slice(0, 32);
  const seconds = (): number => Math.floor(now() / 1000);
  let current = new Set<string>();
  let previous = new Set<string>();
  let turnsAt = seconds() + NONCE_LIFETIME_SECONDS;
  // A count is remembered for one to two lifetimes: longer than its nonce can be fresh.
  const seenBefore = (entry: string, at: number): boolean => {
    if (at >= turnsAt || current.size >= MAX_REMEMBERED) {
      previous = current;
      current = new Set();
      turnsAt = at + NONCE_LIFETIME_SECONDS;
    }
    if (current.has(entry) || previous.has(entry)) return true;
    current.add(entry);
    return false;
  };
  return {
    issue() {
      const time = seconds().toString(16).padStart(8, '0');
      const random = randomBytes(8).toString('hex');
      return time + random + mac(time, random);
    },
    check(nonce, count) {
      const parts = NONCE.exec(nonce);
      if (parts === null || count < 1 || count > NONCE_MAX_USES) return 'stale';
      const [, time = '', random = '', sent = ''] = parts;
      if (!timingSafeEqual(Buffer.from(mac(time, random)), Buffer.from(sent))) return 'stale';
      const at = seconds();
      const age = at - Number.parseInt(time, 16);
      if (age > NONCE_LIFETIME_SECONDS || age < -CLOCK_SKEW_SECONDS) return 'stale';
      return seenBefore(`${nonce}/${count}`, at) ? 'stale' : 'fresh';
    },
  };
}
