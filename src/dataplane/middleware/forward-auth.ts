// ForwardAuth: the request's headers (not its body) go to the authentication service first, as
// ingress-nginx's auth_request location sends them. 2xx: forwarded, with the service's listed
// response headers set on the upstream request; 401: passed on with the service's challenge, or a
// 302 to the sign-in URL; 403: passed on; anything else, or no answer in time: 500. The service's
// Set-Cookie reaches the client as nginx's add_header sends it: on 2xx and 3xx answers (the sign-in
// redirect included), or on every answer with alwaysSetCookie. With a cache, answers are reused
// (auth-answer-cache.ts); with keepalive, the service is reached over connections of its own. On a
// host with auth-tls the service gets the client certificate's ssl-client-* headers too.
import { request } from 'undici';
import type { ForwardAuth } from '../../routing/middleware.ts';
import { requestIdOf } from '../forward-headers.ts';
import { AuthAnswerCache, type CachedAnswer } from './auth-answer-cache.ts';
import { authCacheKey } from './auth-cache-key.ts';
import { CERTIFICATE_HEADERS } from './client-certificate-auth.ts';
import { renderLocation } from './redirect.ts';
import type { ChainRequest, ForwardPlan, LocalAnswer, Step } from './step.ts';

/** How long the service may take to answer; its body is read and dropped up to a bound. */
const AUTH_TIMEOUT_MS = 15_000;
const DROPPED_BODY_BYTES = 64 * 1024;
/** Not passed to the service: hop-by-hop fields, the body's framing, and the Host (the service's own). */
const NOT_PASSED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect',
  'content-length', 'host', 'http2-settings',
]);
/** What ClientCertificateAuth sets upstream, which the service gets too. */
const CLIENT_CERTIFICATE_HEADERS: ReadonlySet<string> = new Set(CERTIFICATE_HEADERS);
const FAILED: LocalAnswer = { status: 500, text: 'authentication service failed', headers: {} };
const FORBIDDEN: LocalAnswer = { status: 403, text: 'forbidden', headers: {} };

/** What the chain uses of the service's answer. */
interface ServiceAnswer extends CachedAnswer {
  readonly cookies: readonly string[];
}

export function compileForwardAuth(filter: ForwardAuth): Step {
  const cache = filter.cache === undefined ? undefined : new AuthAnswerCache(filter.cache);
  const keep = [...filter.copyHeaders, 'www-authenticate'];
  return async (req, plan) => {
    const now = (): number => req.authServices?.now() ?? performance.now();
    const key = cache === undefined || filter.cache === undefined ? undefined : authCacheKey(filter, filter.cache.key, req);
    const cached = key === undefined ? undefined : cache?.get(key, now());
    if (key !== undefined) req.authServices?.onCacheLookup(cached === undefined ? 'miss' : 'hit');
    if (cached !== undefined) return decide(filter, req, plan, { ...cached, cookies: [] });
    const answer = await ask(filter, req, plan, keep);
    if (answer === undefined) return FAILED;
    if (key !== undefined) cache?.put(key, answer, { cacheControl: answer.cacheControl, setsCookie: answer.cookies.length > 0 }, now());
    return decide(filter, req, plan, answer);
  };
}

async function ask(filter: ForwardAuth, req: ChainRequest, plan: ForwardPlan, keep: readonly string[]): Promise<(ServiceAnswer & { cacheControl: string | undefined }) | undefined> {
  try {
    const answer = await request(renderLocation(filter.url, req), {
      method: filter.method as 'GET', headers: serviceHeaders(req, filter, plan), headersTimeout: AUTH_TIMEOUT_MS, bodyTimeout: AUTH_TIMEOUT_MS,
      dispatcher: req.authServices?.dispatcher(filter.keepalive),
    });
    await answer.body.dump({ limit: DROPPED_BODY_BYTES });
    const headers: Record<string, string> = {};
    for (const name of keep) {
      const value = answer.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const cookies = answer.headers['set-cookie'];
    const control = answer.headers['cache-control'];
    return {
      status: answer.statusCode, headers, cookies: cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies],
      cacheControl: Array.isArray(control) ? control.join(', ') : control,
    };
  } catch {
    return undefined;
  }
}

function decide(filter: ForwardAuth, req: ChainRequest, plan: ForwardPlan, answer: ServiceAnswer): LocalAnswer | undefined {
  const { status } = answer;
  const always = filter.alwaysSetCookie === true;
  if (status >= 200 && status < 300) {
    for (const name of filter.copyHeaders) {
      const value = answer.headers[name];
      if (value !== undefined) plan.setHeaders.push([name, value]);
    }
    if (answer.cookies.length > 0) plan.authCookies = { values: answer.cookies, always };
    return undefined;
  }
  const local = status === 401 ? unauthorized(filter, req, answer.headers['www-authenticate']) : status === 403 ? FORBIDDEN : FAILED;
  // nginx's add_header (without always) adds to 2xx and 3xx answers only: here, the sign-in redirect.
  const cookies = answer.cookies.length > 0 && (always || local.status === 302);
  return cookies ? { ...local, headers: { ...local.headers, 'set-cookie': [...answer.cookies] } } : local;
}

function unauthorized(filter: ForwardAuth, req: ChainRequest, challenge: string | undefined): LocalAnswer {
  if (filter.signin === undefined) {
    const headers: Record<string, string> = {};
    if (challenge !== undefined) headers['www-authenticate'] = challenge;
    return { status: 401, text: 'authentication required', headers };
  }
  const signin = renderLocation(filter.signin, req);
  const param = filter.signinRedirectParam;
  if (new RegExp(`[?&]${param}=`).test(signin)) return { status: 302, text: 'redirecting', headers: { location: signin } };
  const original = `${req.proto}://${authority(req)}${req.target.upstreamPath}${req.target.query}`;
  const location = `${signin}${signin.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(original)}`;
  return { status: 302, text: 'redirecting', headers: { location } };
}

/** The client's headers, less hop-by-hop fields and the body's framing, plus what ingress-nginx adds. */
function serviceHeaders(req: ChainRequest, filter: ForwardAuth, plan: ForwardPlan): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const verdict = clientCertificateHeaders(plan);
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || NOT_PASSED.has(name) || verdict.replaced.has(name)) continue;
    headers[name] = value;
  }
  for (const [name, value] of verdict.set) headers[name] = value;
  const { target } = req;
  const address = req.clientAddress();
  headers['x-original-url'] = `${req.proto}://${authority(req)}${target.upstreamPath}${target.query}`;
  headers['x-original-method'] = req.method;
  headers['x-sent-from'] = 'nginx-ingress-controller';
  headers['x-real-ip'] = address;
  headers['x-forwarded-for'] = address;
  headers['x-forwarded-host'] = authority(req);
  headers['x-forwarded-proto'] = req.proto;
  headers['x-auth-request-redirect'] = filter.requestRedirect ?? target.upstreamPath + target.query;
  headers['x-request-id'] = requestIdFor(filter, req, plan);
  for (const [name, value] of filter.setHeaders ?? []) headers[name] = renderLocation(value, req);
  return headers;
}

/**
 * ingress-nginx's auth location sets the same ssl-client-* headers as the upstream gets on a host
 * with auth-tls: ClientCertificateAuth, which runs first, has put them in the plan, set or dropped,
 * and the client's of those names are replaced. Without auth-tls the plan holds none, and the
 * client's pass as nginx passes them.
 */
function clientCertificateHeaders(plan: ForwardPlan): { readonly replaced: ReadonlySet<string>; readonly set: readonly (readonly [string, string])[] } {
  const set = plan.setHeaders.filter(([name]) => CLIENT_CERTIFICATE_HEADERS.has(name));
  const replaced = new Set([...set.map(([name]) => name), ...plan.removeHeaders.filter((name) => CLIENT_CERTIFICATE_HEADERS.has(name))]);
  return { replaced, set };
}

/**
 * The upstream's X-Request-ID, made now so both get it (nginx's auth_request shares $req_id); with
 * keep-alive and without share-vars, nginx's subrequest has its own: so does Bollard's.
 */
function requestIdFor(filter: ForwardAuth, req: ChainRequest, plan: ForwardPlan): string {
  if (filter.keepalive !== undefined && !filter.keepalive.shareRequestId) return requestIdOf(req.headers);
  plan.requestId ??= requestIdOf(req.headers);
  return plan.requestId;
}

/** Host and port as the client wrote them (nginx's $http_host). */
function authority(req: ChainRequest): string {
  const written = req.headers[':authority'] ?? req.headers.host;
  return typeof written === 'string' && written !== '' ? written : req.host;
}
