// The users of an ingress-nginx auth Secret, as the BasicAuth middleware needs them. auth-file: the
// key "auth" holds an htpasswd file (user:hash per line); auth-map: each key is a user, its value the
// hash. A Secret that is missing or unreadable is a problem: its routes refuse requests (503) rather
// than serve them unauthenticated. Users whose hash is in a scheme Bollard cannot check are dropped
// (they could never sign in) and named in a note.
import type { SecretObject } from '../../snapshot/model.ts';

export type AuthSecretType = 'auth-file' | 'auth-map';

export type HtpasswdReading =
  | { readonly users: readonly (readonly [string, string])[]; readonly unusable: readonly string[] }
  | { readonly problem: string };

/** bcrypt, apr1-MD5 and SHA-1, as htpasswd -B, -m and -s write them. */
const SUPPORTED_HASH = /^(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}|\$apr1\$[./A-Za-z0-9]{0,8}\$[./A-Za-z0-9]{22}|\{SHA\}[A-Za-z0-9+/]{27}=)$/;
const USER = /^[^:\s]+$/;
const MAX_USERS = 10_000;

export function readHtpasswd(secret: SecretObject | undefined, type: AuthSecretType, name: string): HtpasswdReading {
  const entries = secretEntries(secret, type, name);
  if ('problem' in entries) return entries;
  const byUser = new Map<string, string>();
  // As nginx reads an htpasswd file, the first line of a user wins.
  for (const [user, hash] of entries) if (!byUser.has(user)) byUser.set(user, hash);
  const users = [...byUser].filter(([, hash]) => SUPPORTED_HASH.test(hash)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const unusable = [...byUser].filter(([, hash]) => !SUPPORTED_HASH.test(hash)).map(([user]) => user).sort();
  return { users, unusable };
}

/** [user, the rest of the line] per line (auth-file) or key (auth-map); a problem when there are none or too many. */
export function secretEntries(secret: SecretObject | undefined, type: AuthSecretType, name: string): [string, string][] | { problem: string } {
  if (secret === undefined) return { problem: `secret "${name}" was not found` };
  const entries = type === 'auth-file' ? fileEntries(secret, name) : mapEntries(secret);
  if ('problem' in entries) return entries;
  if (entries.length === 0) return { problem: `secret "${name}" holds no users` };
  if (entries.length > MAX_USERS) return { problem: `secret "${name}" holds more than ${MAX_USERS} users` };
  return entries;
}

function fileEntries(secret: SecretObject, name: string): [string, string][] | { problem: string } {
  const file = secret.data.auth;
  if (file === undefined) return { problem: `secret "${name}" has no key "auth" (auth-secret-type auth-file)` };
  const entries: [string, string][] = [];
  const lines = file.toString('utf8').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    const user = line.slice(0, at);
    if (at <= 0 || !USER.test(user)) return { problem: `secret "${name}", key "auth", line ${i + 1} is not user:hash` };
    entries.push([user, line.slice(at + 1)]);
  }
  return entries;
}

function mapEntries(secret: SecretObject): [string, string][] {
  return Object.entries(secret.data)
    .filter(([user]) => USER.test(user))
    .map(([user, hash]): [string, string] => [user, hash.toString('utf8').trim()]);
}

export function sameHtpasswdReading(a: HtpasswdReading, b: HtpasswdReading): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
