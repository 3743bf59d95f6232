// auth-url and its companions: forward authentication, as ingress-nginx's auth_request does it.
// auth-url or auth-method that does not parse refuses the routes (503): ignoring them would open
// the routes. auth-signin that does not parse is ignored (401 is passed on instead), and so are
// auth-response-headers and auth-request-redirect values that do not parse.
import type { ForwardAuth, Middleware } from '../middleware.ts';
import type { AnnotationReader } from './reader.ts';
import { NGINX_PREFIX } from './catalog.ts';
import { parseHeaderValue, parseUrlTemplate, splitList } from './values.ts';

const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
const METHOD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function readForwardAuth(read: AnnotationReader): Middleware[] {
  if (!read.has('auth-url')) return [];
  const url = read('auth-url', 'an http(s) URL (nginx variables such as $host and $escaped_request_uri are filled in)', parseUrlTemplate, REFUSED);
  const method = read('auth-method', 'GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS', (w) => (METHOD.test(w) ? { value: w } : undefined), REFUSED);
  if (url === undefined) return [refuse('auth-url')];
  if (method === undefined && read.has('auth-method')) return [refuse('auth-method')];
  return [{ kind: 'ForwardAuth', url: url.value, method: method?.value ?? 'GET', ...readOptional(read) }];
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
