// BasicAuth: a request whose Authorization header does not carry the password of a listed user gets
// 401 with a challenge. The header is forwarded as sent (as nginx's auth_basic does). A successful
// check is remembered for the chain's lifetime by a digest of user and password, so a bcrypt hash is
// computed once per client credentials, not once per request; a changed Secret makes a new chain.
import { createHash } from 'node:crypto';
import type { BasicAuth } from '../../routing/middleware.ts';
import { verifyPassword } from './htpasswd-verify.ts';
import type { LocalAnswer, Step } from './step.ts';

const REMEMBERED = 1024;

export function compileBasicAuth(filter: BasicAuth): Step {
  const users = new Map(filter.users);
  const challenge: LocalAnswer = {
    status: 401, text: 'authentication required', headers: { 'www-authenticate': `Basic realm="${filter.realm}", charset="UTF-8"` },
  };
  const verified = new Set<string>();
  return (req) => {
    const credentials = parseBasic(req.headers.authorization);
    const hash = credentials === undefined ? undefined : users.get(credentials.user);
    if (credentials === undefined || hash === undefined) return challenge;
    const key = createHash('sha256').update(`${credentials.user}\0${credentials.password}`).digest('base64');
    if (verified.has(key)) return undefined;
    const settle = (ok: boolean): LocalAnswer | undefined => {
      if (!ok) return challenge;
      if (verified.size >= REMEMBERED) verified.clear();
      verified.add(key);
      return undefined;
    };
    const checked = verifyPassword(credentials.password, hash);
    return typeof checked === 'boolean' ? settle(checked) : checked.then(settle, () => challenge);
  };
}

/** "Basic base64(user:password)", the scheme in any case; undefined when it is anything else. */
function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^basic +([A-Za-z0-9+/]+={0,2})*$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
