// Sends one client request to an upstream endpoint through its undici dispatcher and relays the
// answer. An idempotent request without a body whose connection attempt fails is retried on
// another endpoint (at most the route's `retries`, else the data plane's, more; none after the
// route's retryTimeoutMs); every outcome feeds passive health.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { errors } from 'undici';
import type { Endpoint, Route } from '../routing/types.ts';
import type { ResponseRateLimit } from '../routing/middleware.ts';
import type { ClientResponse } from './client-response.ts';
import { buildClientHeaders } from './forward-headers.ts';
import type { DataPlaneOptions } from './options.ts';
import { RelayHandler, type RelayOutcome } from './relay-handler.ts';
import { throttledResponse } from './throttled-response.ts';
import { compressingResponse } from './compression/compressing-response.ts';
import type { CompressionRequest, CompressionSettings } from './compression/choose.ts';
import type { RequestHash, ResponseRewrite, SessionRequest } from './middleware/step.ts';
import { setCookieValue } from './middleware/session-cookie.ts';
import { applyResponseRewrite } from './middleware/response-rewrite.ts';
import type { Balancer, Stuck } from './upstream/balancer.ts';
import { endpointKey } from './upstream/endpoint-stats.ts';
import type { UpstreamPools } from './upstream/pools.ts';

export interface ForwardDeps {
  readonly pools: UpstreamPools;
  readonly balancer: Balancer;
  readonly options: DataPlaneOptions;
  readonly now: () => number;
  readonly onEject: (endpoint: string, upstream: string) => void;
}

export interface Outbound {
  readonly route: Route;
  readonly method: string;
  /** Path and query as sent upstream. */
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable | null;
  /** Set on the client's response, then `removeResponseHeaders` dropped (middlewares: CORS, response headers). */
  readonly responseHeaders?: Record<string, string> | undefined;
  readonly removeResponseHeaders?: readonly string[] | undefined;
  /** Appended to the upstream's value (comma-separated), or set when it sent none (Gateway API `add`). */
  readonly appendResponseHeaders?: readonly (readonly [string, string])[] | undefined;
  /** Sticky sessions (SessionPersistence): the endpoint the cookie leads to first; set it when another serves. */
  readonly session?: SessionRequest | undefined;
  /** nginx limit-rate: the body goes to the client no faster than this. */
  readonly responseRate?: ResponseRateLimit | undefined;
  /** Upstream statuses not relayed (nginx custom-http-errors): the result says `intercepted`. */
  readonly intercept?: readonly number[] | undefined;
  /** Consistent hashing (nginx upstream-hash-by): the endpoint the request's key leads to. */
  readonly hash?: RequestHash | undefined;
  /** nginx proxy_redirect / proxy_cookie_*: applied to the upstream's headers before the route's own. */
  readonly responseRewrite?: ResponseRewrite | undefined;
  /** A forward auth service's Set-Cookie values (ForwardPlan.authCookies). */
  readonly authCookies?: { readonly values: readonly string[]; readonly always: boolean } | undefined;
  /** --use-gzip / --enable-brotli, and what the request accepts (compression/). */
  readonly compression?: { readonly settings: CompressionSettings; readonly request: CompressionRequest } | undefined;
}

export interface ForwardResult extends RelayOutcome {
  readonly endpoint: Endpoint | undefined;
  readonly attempts: number;
}

/** Retried after a failed connect. Not TRACE: it is answered 405 before forwarding, and never retried. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Whether a failed connect may be tried again on another endpoint. */
export const retriesAllowed = (method: string, body: Readable | null): boolean => body === null && IDEMPOTENT.has(method);

export function isConnectFailure(err: Error): boolean {
  if (err instanceof errors.ConnectTimeoutError) return true;
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

/** The statuses nginx's add_header (without `always`) adds to. */
const ADD_HEADER_STATUSES = new Set([200, 201, 204, 206, 301, 302, 303, 304, 307, 308]);

function withResponseChanges(headers: OutgoingHttpHeaders, out: Outbound, cookie: string | undefined, status: number): OutgoingHttpHeaders {
  if (out.responseRewrite !== undefined) applyResponseRewrite(headers, out.responseRewrite);
  Object.assign(headers, out.responseHeaders);
  for (const [name, value] of out.appendResponseHeaders ?? []) {
    const sent = headers[name];
    headers[name] = sent === undefined ? value : `${Array.isArray(sent) ? sent.join(',') : String(sent)},${value}`;
  }
  for (const name of out.removeResponseHeaders ?? []) Reflect.deleteProperty(headers, name);
  addCookies(headers, [...authCookiesFor(out, status), ...(cookie === undefined ? [] : [cookie])]);
  return headers;
}

function authCookiesFor(out: Outbound, status: number): readonly string[] {
  const auth = out.authCookies;
  return auth !== undefined && (auth.always || ADD_HEADER_STATUSES.has(status)) ? auth.values : [];
}

/** Set-Cookie values after the upstream's own. */
function addCookies(headers: OutgoingHttpHeaders, added: readonly string[]): void {
  if (added.length === 0) return;
  const upstream = headers['set-cookie'];
  headers['set-cookie'] = upstream === undefined ? [...added] : [...(Array.isArray(upstream) ? upstream : [upstream]), ...added];
}

/** Whether the request's session key is in the form the route's mode writes. */
const keyInMode = (session: SessionRequest): boolean => session.key?.kind === (session.rule.mode === 'balanced' ? 'position' : 'endpoint');

/**
 * Whether the answer sets the session cookie: always when the balancer picked the endpoint; not
 * when the request's key led to it in the route's own form, unless by a detour (balanced: its own
 * endpoint is ejected) and the cookie changes on failure; after the key's endpoint failed in this
 * request, as session-cookie-change-on-failure says.
 */
function setsCookie(session: SessionRequest, stuck: Stuck | undefined, wantedFailed: boolean): boolean {
  const { changeOnFailure } = session.rule;
  if (wantedFailed) return changeOnFailure;
  if (stuck === undefined || !keyInMode(session)) return true;
  return stuck.detour && changeOnFailure;
}

export function forward(deps: ForwardDeps, out: Outbound, res: ClientResponse, done: (r: ForwardResult) => void): void {
  const { route } = out;
  const { retries = deps.options.retries, retryTimeoutMs, connectTimeoutMs } = route.options;
  const retryable = retriesAllowed(out.method, out.body);
  const tried = new Set<string>();
  const via = deps.options.via;
  const { session } = out;
  let cookie: string | undefined;
  let wantedFailed = false;
  const plainAnswer = out.responseHeaders === undefined && out.removeResponseHeaders === undefined && out.appendResponseHeaders === undefined && out.responseRewrite === undefined &&
    out.authCookies === undefined;
  const clientHeaders = plainAnswer && session === undefined
    ? (h: IncomingHttpHeaders) => buildClientHeaders(h, via)
    : (h: IncomingHttpHeaders, status: number) => withResponseChanges(buildClientHeaders(h, via), out, cookie, status);
  const firstAt = retryTimeoutMs === undefined ? 0 : deps.now();
  let current: RelayHandler | undefined;
  // Compressed first, then paced: limit-rate counts the bytes that go out, as nginx's does.
  const paced = out.responseRate === undefined ? res : throttledResponse(res, out.responseRate);
  const client = out.compression === undefined ? paced : compressingResponse(paced, out.compression.settings, out.compression.request);
  // Not `res.writableFinished`: node:http2's compatibility response reports it true when the
  // client resets the stream, which left the upstream request (and its connection) open.
  res.on('close', () => { current?.abort(() => new errors.RequestAbortedError()); });

  const tryAgain = (outcome: RelayOutcome): boolean =>
    outcome.error !== undefined && !outcome.started && retryable && isConnectFailure(outcome.error) && tried.size <= retries &&
    !res.destroyed && (retryTimeoutMs === undefined || deps.now() - firstAt < retryTimeoutMs);

  const attempt = (): void => {
    const stuck = session?.key === undefined ? undefined : deps.balancer.stick(route.upstream, session.key, tried);
    const endpoint = stuck?.endpoint ?? deps.balancer.choose(route.upstream, route.options.loadBalancing, out.hash, tried);
    if (endpoint === undefined) {
      done({ status: tried.size === 0 ? 503 : 502, bytes: 0, started: false, endpoint, attempts: tried.size });
      return;
    }
    cookie = session !== undefined && setsCookie(session, stuck, wantedFailed)
      ? setCookieValue(session, deps.balancer.sessionValue(route.upstream, endpoint, session.rule.mode), Date.now())
      : undefined;
    const key = endpointKey(endpoint);
    tried.add(key);
    const stats = deps.pools.stats(endpoint);
    stats.started();
    const startedAt = deps.now();
    current = new RelayHandler(client, clientHeaders, (outcome) => {
      const failed = outcome.error !== undefined && !(outcome.error instanceof errors.RequestAbortedError);
      if (stats.finished(deps.now() - startedAt, !failed, deps.now(), deps.options)) {
        deps.pools.noteEjection(stats.ejectedUntil);
        deps.onEject(key, route.upstream.key);
      }
      wantedFailed ||= failed && endpoint === stuck?.endpoint;
      if (tryAgain(outcome)) attempt();
      else done({ ...outcome, endpoint, attempts: tried.size });
    }, out.intercept);
    deps.pools.dispatcher(endpoint, route.options.backendProtocol, connectTimeoutMs, route.options.upstreamTls).dispatch({
      path: out.path, method: out.method, headers: out.headers, body: out.body,
      headersTimeout: route.options.readTimeoutMs, bodyTimeout: route.options.readTimeoutMs,
    }, current);
  };
  attempt();
}
