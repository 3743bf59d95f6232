// DigestAuth: RFC 7616 Digest authentication with MD5 and qop "auth", as nginx's digest module
// (ingress-nginx's auth-type digest) speaks it. A request without a valid response for a listed
// user gets 401 with a challenge carrying a fresh nonce. A correct response on a nonce that is too
// old, used too often or replayed gets the challenge with stale=true, so the client retries with
// the new nonce without asking its user again. The Authorization header is forwarded as sent.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DigestAuth } from '../../routing/middleware.ts';
import { normalizeRequestTarget, type RequestTarget } from '../request-path.ts';
import { parseDigestAuthorization } from './digest-header.ts';
import { nonceBook, type NonceBook } from './digest-nonce.ts';
import type { ChainRequest, LocalAnswer, Step } from './step.ts';

const NONCE_COUNT = /^[0-9a-f]{8}$/i;
const RESPONSE = /^[0-9a-f]{32}$/i;

export function compileDigestAuth(filter: DigestAuth, now?: () => number): Step {
  const users = new Map(filter.users);
  const book = nonceBook(filter.realm, filter.users, now);
  const realm = filter.realm.replace(/[\\"]/g, '\\$&');
  const challenge = (stale: boolean): LocalAnswer => ({
    status: 401,
    text: 'authentication required',
    headers: { 'www-authenticate': `Digest realm="${realm}", qop="auth", algorithm=MD5, nonce="${book.issue()}"${stale ? ', stale=true' : ''}` },
  });
  return (req) => {
    const verdict = verify(req, filter.realm, users, book);
    return verdict === 'fresh' ? undefined : challenge(verdict === 'stale');
  };
}

interface DigestCredentials {
  readonly username: string;
  readonly realm: string | undefined;
  readonly nonce: string;
  readonly uri: string;
  readonly nc: string;
  readonly cnonce: string;
  readonly response: string;
}

/** fresh: let through; stale: the response is right but the nonce is spent; refused: anything else. */
function verify(req: ChainRequest, realm: string, users: ReadonlyMap<string, string>, book: NonceBook): 'fresh' | 'stale' | 'refused' {
  const c = credentialsOf(parseDigestAuthorization(req.headers.authorization));
  const ha1 = c === undefined ? undefined : users.get(c.username);
  if (c === undefined || ha1 === undefined || c.realm !== realm || !sameTarget(c.uri, req.target)) return 'refused';
  const ha2 = md5(`${req.method}:${c.uri}`);
  const expected = md5(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:auth:${ha2}`);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(c.response.toLowerCase()))) return 'refused';
  return book.check(c.nonce, Number.parseInt(c.nc, 16));
}

/** The parameters a response needs, when all are there and well-formed (MD5, qop auth only). */
function credentialsOf(p: ReadonlyMap<string, string> | undefined): DigestCredentials | undefined {
  if (p === undefined || !isMd5Auth(p)) return undefined;
  const [username, nonce, uri, nc = '', cnonce, response = ''] = ['username', 'nonce', 'uri', 'nc', 'cnonce', 'response'].map((name) => p.get(name));
  if (username === undefined || nonce === undefined || uri === undefined || cnonce === undefined) return undefined;
  if (!NONCE_COUNT.test(nc) || !RESPONSE.test(response)) return undefined;
  return { username, realm: p.get('realm'), nonce, uri, nc, cnonce, response };
}

/** qop auth (not auth-int) with MD5, the only algorithm an htdigest HA1 serves. */
function isMd5Auth(p: ReadonlyMap<string, string>): boolean {
  return p.get('qop') === 'auth' && (p.get('algorithm') ?? 'MD5').toUpperCase() === 'MD5';
}

/** The digest's uri names the request's own target (compared after the same normalisation). */
function sameTarget(uri: string, target: RequestTarget): boolean {
  const named = normalizeRequestTarget(uri);
  return named !== undefined && named.upstreamPath === target.upstreamPath && named.query === target.query;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
