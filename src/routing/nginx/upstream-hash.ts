// upstream-hash-by (+ -subset, -subset-size) → one ConsistentHash middleware. The value is text and
// nginx variables in any combination ("$host$request_uri", "${request_uri}-v2"), as ingress-nginx's
// balancer reads it. Variables Bollard knows: $request_uri, $uri, $args ($query_string), $is_args,
// $host, $scheme, $request_method, $remote_addr and $binary_remote_addr (the client address after
// --trusted-proxies), $http_<name>, $cookie_<name> and $arg_<name>; any other makes the value invalid
// (the balancer then picks as load-balance says). affinity: cookie wins over it, as in ingress-nginx.
import type { HashKeyPart, Middleware } from '../middleware.ts';
import type { Parsed } from '../option-values.ts';
import type { AnnotationReader } from './reader.ts';
import { parseGoBoolean, parseWhole } from './values.ts';

const DEFAULT_SUBSET_SIZE = 3;
const MAX_SUBSET_SIZE = 1000;
const VARIABLE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;
const VALUES: ReadonlyMap<string, HashKeyPart> = new Map<string, HashKeyPart>([
  ['request_uri', { value: 'request_uri' }], ['uri', { value: 'uri' }], ['document_uri', { value: 'uri' }],
  ['args', { value: 'args' }], ['query_string', { value: 'args' }], ['is_args', { value: 'is_args' }],
  ['host', { value: 'host' }], ['scheme', { value: 'scheme' }], ['request_method', { value: 'request_method' }],
  ['remote_addr', { value: 'remote_addr' }], ['binary_remote_addr', { value: 'remote_addr' }],
]);

/** One variable (without "$") as a key part; undefined when Bollard does not know it. */
function partOf(name: string): HashKeyPart | undefined {
  const known = VALUES.get(name);
  if (known !== undefined) return known;
  const prefixed = /^(http|cookie|arg)_([A-Za-z0-9_]+)$/.exec(name);
  if (prefixed === null) return undefined;
  const [, kind, rest = ''] = prefixed;
  // nginx's $http_x_user is the header X-User; cookies and arguments keep their names (matched in any case).
  if (kind === 'http') return { header: rest.toLowerCase().replaceAll('_', '-') };
  return kind === 'cookie' ? { cookie: rest.toLowerCase() } : { arg: rest.toLowerCase() };
}

/** Text and known variables as key parts; undefined for an unknown variable or a stray "$" or control character. */
export function parseKeyTemplate(written: string): Parsed<readonly HashKeyPart[]> | undefined {
  const parts: HashKeyPart[] = [];
  let at = 0;
  for (const match of written.matchAll(VARIABLE)) {
    const part = partOf(match[1] ?? match[2] ?? '');
    if (part === undefined) return undefined;
    if (match.index > at) parts.push(written.slice(at, match.index));
    parts.push(part);
    at = match.index + match[0].length;
  }
  if (at < written.length) parts.push(written.slice(at));
  const literal = parts.filter((p): p is string => typeof p === 'string').join('');
  return /[$\p{Cc}]/u.test(literal) ? undefined : { value: parts };
}

export function parseHashKey(written: string): Parsed<readonly HashKeyPart[]> | undefined {
  const parsed = parseKeyTemplate(written);
  // A key of text alone would send everything to one endpoint: nginx allows it, but it is surely a mistake.
  if (parsed === undefined || parsed.value.every((p) => typeof p === 'string')) return undefined;
  return parsed;
}

export function readUpstreamHash(read: AnnotationReader, affinity: boolean): Middleware[] {
  const key = read('upstream-hash-by', 'nginx variables and text, such as $request_uri, $host$request_uri, $remote_addr, $http_x_user, $cookie_session or $arg_id', parseHashKey)?.value;
  const subset = read('upstream-hash-by-subset', '"true" or "false"', parseGoBoolean, 'Requests hash to one endpoint')?.value === true;
  const size = read('upstream-hash-by-subset-size', `a whole number of endpoints from 1 to ${MAX_SUBSET_SIZE}`, (w) => parseWhole(w, 1, MAX_SUBSET_SIZE), `The default, ${DEFAULT_SUBSET_SIZE}, is used`)?.value;
  if (key === undefined || affinity) return [];
  return [{ kind: 'ConsistentHash', key, subsetSize: subset ? size ?? DEFAULT_SUBSET_SIZE : undefined }];
}
