// The users of an ingress-nginx auth Secret for auth-type digest: htdigest lines (what `htdigest`
// writes: user:realm:HA1, HA1 the hex MD5 of "user:realm:password") in the key "auth" (auth-file),
// or one key per user whose value is realm:HA1 (auth-map). As nginx's digest module looks a user up,
// only lines of the route's realm count, and the first line of a user in that realm wins. Lines whose
// HA1 is not 32 hex digits are dropped (nobody could sign in with them) and named in a note.
import type { SecretObject } from '../../snapshot/model.ts';
import { secretEntries, type AuthSecretType, type HtpasswdReading } from './htpasswd.ts';

const HA1 = /^[0-9a-f]{32}$/i;

export function readHtdigest(secret: SecretObject | undefined, type: AuthSecretType, name: string, realm: string): HtpasswdReading {
  const entries = secretEntries(secret, type, name);
  if ('problem' in entries) return entries;
  const byUser = new Map<string, string>();
  for (const [user, rest] of entries) {
    // The realm may hold a colon; the HA1 never does.
    const at = rest.lastIndexOf(':');
    if (at < 0 || rest.slice(0, at) !== realm || byUser.has(user)) continue;
    byUser.set(user, rest.slice(at + 1).trim().toLowerCase());
  }
  if (byUser.size === 0) return { problem: `secret "${name}" holds no users of the realm "${realm}" (auth-realm)` };
  const users = [...byUser].filter(([, ha1]) => HA1.test(ha1)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const unusable = [...byUser].filter(([, ha1]) => !HA1.test(ha1)).map(([user]) => user).sort();
  return { users, unusable };
}
