// The key a ForwardAuth's answers are cached under: its route's scope, the host asked for and the
// annotation's key with the request's values filled in, hashed (an Authorization header may be long).
import { createHash } from 'node:crypto';
import type { ForwardAuth, KeyPart } from '../../routing/middleware.ts';
import { cookieValue } from '../cookies.ts';
import { renderLocation } from './redirect.ts';
import type { ChainRequest } from './step.ts';

export function authCacheKey(filter: ForwardAuth, parts: readonly KeyPart[], req: ChainRequest): string {
  const hash = createHash('sha256').update(filter.cacheScope ?? '').update('\0').update(req.host).update('\0');
  for (const part of parts) hash.update(typeof part === 'string' ? part : partValue(part, req));
  return hash.digest('base64');
}

function partValue(part: Exclude<KeyPart, string>, req: ChainRequest): string {
  if ('header' in part) return joined(req.headers[part.header]);
  if ('cookie' in part) return cookieValue(req.headers.cookie, part.cookie) ?? '';
  switch (part.value) {
    case 'remote_addr': return req.clientAddress();
    case 'remote_user': return basicUser(req.headers.authorization);
    case 'request_method': return req.method;
    default: return renderLocation([{ value: part.value }], req);
  }
}

const joined = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join(', ') : value ?? '');


/** nginx's $remote_user: the user of a Basic Authorization header, else empty. */
function basicUser(header: string | undefined): string {
  const match = /^basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header ?? '');
  if (match?.[1] === undefined) return '';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(0, colon);
}
