// ConsistentHash (src/routing/middleware.ts): the request's key, made of text and request values as
// nginx's variables are, hashed to a ring position; forward.ts asks the balancer for the endpoint
// (or subset) that owns it. Values nginx reads from the request as sent: $request_uri is the path
// and query as sent upstream before any rewrite, $uri the decoded path routes match.
import type { IncomingHttpHeaders } from 'node:http';
import type { ConsistentHash, HashKeyPart } from '../../routing/middleware.ts';
import { cookieValue } from '../cookies.ts';
import { hashKeyPosition } from '../upstream/hash-key.ts';
import type { ChainRequest, Step } from './step.ts';

type Value = Extract<HashKeyPart, { value: string }>['value'];

function valueOf(value: Value, req: ChainRequest): string {
  const { target } = req;
  switch (value) {
    case 'request_uri': return target.upstreamPath + target.query;
    case 'uri': return target.matchPath;
    case 'args': return target.query.slice(1);
    case 'is_args': return target.query === '' ? '' : '?';
    case 'host': return req.host;
    case 'scheme': return req.proto;
    case 'request_method': return req.method;
    case 'remote_addr': return req.clientAddress();
  }
}

/** A header's value as nginx's $http_<name>: several lines joined by ", " ("; " for Cookie). */
function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  if (v === undefined) return '';
  return Array.isArray(v) ? v.join(name === 'cookie' ? '; ' : ', ') : v;
}

/** nginx's $arg_<name>: the first query argument named `name` (any case). */
function argValue(query: string, name: string): string {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && pair.slice(0, eq).trim().toLowerCase() === name) return pair.slice(eq + 1).trim();
  }
  return '';
}

function partValue(part: HashKeyPart, req: ChainRequest): string {
  if (typeof part === 'string') return part;
  if ('value' in part) return valueOf(part.value, req);
  if ('header' in part) return headerValue(req.headers, part.header);
  if ('cookie' in part) return cookieValue(req.headers.cookie, part.cookie, true) ?? '';
  return argValue(req.target.query.slice(1), part.arg);
}

/** The request's key, as nginx fills in the variables (also the key of a GlobalRateLimit). */
export function hashKeyOf(parts: readonly HashKeyPart[], req: ChainRequest): string {
  let key = '';
  for (const part of parts) key += partValue(part, req);
  return key;
}

export function compileConsistentHash(filter: ConsistentHash): Step {
  const { key, subsetSize } = filter;
  return (req, plan) => {
    plan.hash = { position: hashKeyPosition(hashKeyOf(key, req)), subsetSize };
    return undefined;
  };
}
