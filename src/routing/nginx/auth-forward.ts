// auth-url and its companions: forward authentication, as ingress-nginx's auth_request does it.
// auth-url or auth-method that does not parse refuses the routes (503): ignoring them would open
// the routes. auth-signin that does not parse is ignored (401 is passed on instead), and so are
// auth-response-headers and auth-request-redirect values that do not parse; so are the cache and
// keep-alive settings (auth-cache.ts, readKeepalive), whose absence opens nothing.
import type { AuthKeepalive, ForwardAuth, Middleware, TemplatePart } from '../middleware.ts';
import type { AnnotationReader } from './reader.ts';
import { NGINX_PREFIX } from './catalog.ts';
import { readAuthCache } from './auth-cache.ts';
import { parseGoBoolean, parseHeaderValue, parseUrlTemplate, splitList } from './values.ts';

const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
const METHOD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function readForwardAuth(read: AnnotationReader): Middleware[] {
  if (!read.has('auth-url')) return [];
  const url = read('auth-url', 'an http(s) URL (nginx variables such as $host and $escaped_request_uri are filled in)', parseUrlTemplate, REFUSED);
  const method = read('auth-method', 'GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS', (w) => (METHOD.test(w) ? { value: w } : undefined), REFUSED);
  if (url === undefined) return [refuse('auth-url')];
  if (method === undefined && read.has('auth-method')) return [refuse('auth-method')];
  return [{ kind: 'ForwardAuth', url: url.value, method: method?.value ?? 'GET', ...readOptional(read), ...readExtras(read, url.value) }];
}

/** auth-always-set-cookie, auth-cache-*, auth-keepalive-*: set only when asked for, so other chains keep their keys. */
function readExtras(read: AnnotationReader, url: readonly TemplatePart[]): Pick<ForwardAuth, 'alwaysSetCookie' | 'cache' | 'keepalive'> {
  const always = read('auth-always-set-cookie', '"true" or "false"', parseGoBoolean)?.value === true;
  const cache = readAuthCache(read);
  const keepalive = readKeepalive(read, url);
  return { ...(always ? { alwaysSetCookie: true } : {}), ...(cache === undefined ? {} : { cache }), ...(keepalive === undefined ? {} : { keepalive }) };
}

const whole = (w: string): { value: number } | undefined => (/^-?[0-9]{1,9}$/.test(w) ? { value: Number(w) } : undefined);

/**
 * auth-keepalive (idle connections; 0, the default, or less: none), -requests (default 1000) and
 * -timeout (seconds, default 60): as ingress-nginx, a value of 0 or less for either of the last two,
 * or a variable in the URL's host, turns keep-alive off.
 */
function readKeepalive(read: AnnotationReader, url: readonly TemplatePart[]): AuthKeepalive | undefined {
  const connections = read('auth-keepalive', 'a whole number of connections', whole)?.value ?? 0;
  const requests = read('auth-keepalive-requests', 'a whole number of requests', whole)?.value ?? 1000;
  const timeout = read('auth-keepalive-timeout', 'whole seconds', whole)?.value ?? 60;
  const share = read('auth-keepalive-share-vars', '"true" or "false"', parseGoBoolean)?.value === true;
  if (connections <= 0 || requests <= 0 || timeout <= 0 || variableInHost(url)) return undefined;
  return { connections, requestsPerConnection: requests, idleTimeoutMs: timeout * 1000, shareRequestId: share };
}

/** Whether a request value comes before the end of the URL's host (nginx cannot keep an upstream for it). */
function variableInHost(url: readonly TemplatePart[]): boolean {
  let written = '';
  for (const part of url) {
    if (typeof part !== 'string') return !/^https?:\/\/[^/?#]*[/?#]/i.test(written);
    written += part;
  }
  return false;
}

/** The settings whose invalid value is ignored: without them the route is still protected. */
function readOptional(read: AnnotationReader): Pick<ForwardAuth, 'signin' | 'signinRedirectParam' | 'copyHeaders' | 'requestRedirect'> {
  const signin = read('auth-signin', 'an http(s) URL', parseUrlTemplate)?.value;
  const param = read('auth-signin-redirect-param', 'a query parameter name', (w) => (/^[A-Za-z0-9_.-]+$/.test(w) ? { value: w } : undefined))?.value;
  const copy = read('auth-response-headers', 'comma-separated header names', (w) => {
    const names = splitList(w);
    return names.every((n) => HEADER_NAME.test(n)) ? { value: names.map((n) => n.toLowerCase()) } : undefined;
  })?.value;
  const redirect = read('auth-request-redirect', 'visible characters', parseHeaderValue)?.value;
  return { signin, signinRedirectParam: param ?? 'rd', copyHeaders: copy ?? [], requestRedirect: redirect === '' ? undefined : redirect };
}

function refuse(key: string): Middleware {
  return { kind: 'Refuse', status: 503, reason: NGINX_PREFIX + key };
}
