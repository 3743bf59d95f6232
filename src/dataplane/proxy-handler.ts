// The per-request path: read the current table once, match, run the route's middlewares if it has
// any, then answer locally (ACME challenge, redirect, 4xx/5xx) or forward. Everything else was done
// when the table was built.
import type { Readable } from 'node:stream';
import { errors } from 'undici';
import { lookupWwwRedirect, matchRoute, normalizeHost, tableForConnection } from '../routing/match.ts';
import type { Logger } from '../log/logger.ts';
import type { Route, Upstream } from '../routing/types.ts';
import { BodyTooLargeError, limitBody } from './body-limit.ts';
import { misdirected } from './misdirected.ts';
import { handshakeOf } from './tls/handshake-record.ts';
import { chooseBackend } from './canary.ts';
import { errorPageOutbound, interceptedStatuses, replacedStatus, withDefaultBackend } from './error-backend.ts';
import { clientOf, type TrustCheck } from './client-address.ts';
import { acceptedEncodings, type CompressionSettings } from './compression/choose.ts';
import { reply, type ClientRequest, type ClientResponse } from './client-response.ts';
import { forward, type ForwardDeps, type ForwardResult, type Outbound } from './forward.ts';
import { buildUpstreamHeaders, type UpstreamHeaders } from './forward-headers.ts';
import { applyPlan, isLocalAnswer, runChain, whenSettled, type ChainOutcome, type ChainRequest, type ForwardPlan } from './middleware/chain.ts';
import type { AuthServices } from './middleware/auth-services.ts';
import type { GlobalRateLimits } from './global-rate/global-rate-limits.ts';
import { normalizeRequestTarget, type RequestTarget } from './request-path.ts';
import type { MirroredRequest, Mirrors, MirrorStart } from './mirror/mirrors.ts';
import { pickBackend, requestFacts } from './request-facts.ts';
import type { TableHolder } from './table-holder.ts';
import type { Tracer } from './tracing/tracer.ts';
import type { ServerSpan } from './tracing/span.ts';

export interface RequestRecord {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  /** The client's address as access rules see it: the peer's, behind --trusted-proxies the X-Forwarded-For client. */
  readonly client: string;
  readonly status: number;
  readonly bytes: number;
  readonly route: Route | undefined;
  readonly upstream: string | undefined;
  readonly errorKind: string | undefined;
  readonly requestId: string | undefined;
  readonly startedAt: number;
  /** Set for an upgraded connection (WebSocket), recorded once, when it closes; `bytes` then counts what reached the client. */
  readonly tunnel?: TunnelSummary;
  /** The request's server span, when its route is traced (tracing/). */
  readonly span?: ServerSpan;
}

export interface TunnelSummary {
  readonly bytesFromClient: number;
  readonly closedBy: 'client' | 'upstream' | 'idle' | 'drain';
}

/**
 * Answers HTTP-01 challenges: the key authorization for a token and the Host it was asked for,
 * if one is pending. May answer from a cache (sync) or read through to storage (async).
 */
export type ChallengeResponder = (token: string, host: string) => string | undefined | Promise<string | undefined>;

export interface ProxyDeps {
  readonly tables: TableHolder;
  readonly forward: ForwardDeps;
  readonly proto: 'http' | 'https';
  readonly trusted: TrustCheck;
  /** Port written into https redirects (the public HTTPS port, usually 443). */
  readonly httpsRedirectPort: number;
  /** This listener's public port (behind the Service), written in X-Forwarded-Port. */
  readonly publicPort: number;
  readonly challenges?: ChallengeResponder;
  /** Sends the copies of Gateway API RequestMirror filters. */
  readonly mirrors: Mirrors;
  /** Connections to forward authentication services, and their cache counters. */
  readonly authServices?: AuthServices;
  readonly globalRateLimits?: GlobalRateLimits;
  /** Where middlewares log (nginx enable-rewrite-log). */
  readonly log?: Logger;
  /** Server spans for traced routes; undefined: no collector, nothing traced. */
  readonly tracer?: Tracer | undefined;
  readonly onDone: (record: RequestRecord) => void;
}

const ACME_PREFIX = '/.well-known/acme-challenge/';

type Record0 = Omit<RequestRecord, 'status' | 'bytes' | 'upstream' | 'errorKind' | 'requestId'>;

export function createProxyHandler(deps: ProxyDeps): (req: ClientRequest, res: ClientResponse, body: Readable | null) => void {
  return (req, res, body) => {
    const startedAt = performance.now();
    const host = normalizeHost(authorityOf(req));
    const target = normalizeRequestTarget(req.url ?? '');
    const base: Record0 = { method: req.method ?? 'GET', host: host ?? '', path: target?.matchPath ?? '', client: clientOf(req, deps.trusted), startedAt, route: undefined };
    if (host !== undefined && target !== undefined && deps.challenges && target.matchPath.startsWith(ACME_PREFIX)) {
      // Rare and possibly async (read-through to etcd): answered before the table is consulted.
      Promise.resolve(deps.challenges(target.matchPath.slice(ACME_PREFIX.length), host))
        .catch(() => undefined)
        .then((keyAuthorization) => {
          if (keyAuthorization !== undefined) respond(deps, req, res, body, base, { status: 200, text: keyAuthorization, headers: {} });
          else whenSettled(decide(deps, req, res, { host, target, client: base.client }), (answer) => { respond(deps, req, res, body, base, answer); }, () => { res.destroy(); });
        })
        .catch(() => { res.destroy(); });
      return;
    }
    const answer = host === undefined || target === undefined ? { status: 400, text: 'bad request', headers: {} } : decide(deps, req, res, { host, target, client: base.client });
    whenSettled(answer, (settled) => { respond(deps, req, res, body, base, settled); }, () => { res.destroy(); });
  };
}

type Decision = Forwardable | (Refusal & { matched?: Route });

function respond(deps: ProxyDeps, req: ClientRequest, res: ClientResponse, body: Readable | null, base: Record0, answer: Decision): void {
  if ('route' in answer) {
    send(deps, req, res, body, { ...base, route: answer.route }, answer);
    return;
  }
  // After a malformed request the connection's state is doubtful: close it (HTTP/1 only).
  const close = answer.status === 400 && req.httpVersionMajor === 1;
  const headers = withHsts(deps, answer.matched, answer.headers);
  const bytes = reply(res, answer.status, answer.text, close ? { ...headers, connection: 'close' } : headers);
  const span = deps.tracer?.begin(answer.matched, req, deps.proto);
  deps.onDone({ ...base, route: answer.matched, status: answer.status, bytes, upstream: undefined, errorKind: undefined, requestId: undefined, span });
}

/** Host (HTTP/1) or :authority (HTTP/2) as the client sent it. */
function authorityOf(req: ClientRequest): string {
  const authority = req.headers[':authority'] ?? req.headers.host;
  return typeof authority === 'string' ? authority : '';
}

interface Forwardable {
  readonly route: Route;
  readonly host: string;
  readonly target: RequestTarget;
  readonly plan: ForwardPlan | undefined;
  /** The table's, where mirrors find their upstreams. */
  readonly upstreams: ReadonlyMap<string, Upstream>;
}

const MISDIRECTED: Decision = { status: 421, text: 'misdirected request: open a connection for this host', headers: {} };

/** The table is read once here: a local refusal, or a route to forward to (later, when a middleware has to wait). */
/** Where a request goes, and who sent it (RequestRecord.client, worked out once). */
interface Asked {
  readonly host: string;
  readonly target: RequestTarget;
  readonly client: string;
}

function decide(deps: ProxyDeps, req: ClientRequest, res: ClientResponse, asked: Asked): Decision | Promise<Decision> {
  const { host, target } = asked;
  // As nginx: TRACE would echo the request, credentials included, back (cross-site tracing).
  if (req.method === 'TRACE') return { status: 405, text: 'method not allowed', headers: {} };
  const table = tableForConnection(deps.tables.current(), req.socket);
  if (deps.proto === 'https' && misdirected(table.tls, handshakeOf(req.socket), host)) return MISDIRECTED;
  const twin = lookupWwwRedirect(table, host);
  if (twin !== undefined) return { status: 308, text: 'redirecting', headers: { location: `${deps.proto}://${twin}${target.upstreamPath}${target.query}` } };
  const matched = matchRoute(table, host, target.matchPath, requestFacts(req.method ?? 'GET', deps.proto, req.headers, target.query));
  if (matched === undefined) return { status: 404, text: 'no route', headers: {} };
  // A Gateway API route with weighted backends picks one first; a canary is chosen after the chain.
  const route = pickBackend(matched);
  // To https before any middleware, as nginx redirects before its access phase: credentials sent
  // for an auth challenge over plain HTTP would travel in clear.
  const toHttps = httpsRedirect(deps, route, host, target);
  if (toHttps !== undefined) return { ...toHttps, matched: route };
  const after = (outcome: ChainOutcome | undefined): Decision => afterChain(deps, req, route, { host, target, upstreams: table.upstreams }, outcome);
  if (route.middlewares === undefined) return after(undefined);
  const outcome = runChain(route.middlewares, chainRequest(deps, req, res, asked));
  return outcome instanceof Promise ? outcome.then(after) : after(outcome);
}

type Where = Pick<Forwardable, 'host' | 'target' | 'upstreams'>;

function afterChain(deps: ProxyDeps, req: ClientRequest, matched: Route, where: Where, outcome: ChainOutcome | undefined): Decision {
  if (outcome !== undefined && isLocalAnswer(outcome)) return { ...outcome, matched };
  const route = withDefaultBackend(chooseBackend(matched, req.headers, outcome));
  const refusal = refuse(deps, req, route, where.host, where.target);
  return refusal ? { ...refusal, matched: route } : { ...where, route, plan: outcome };
}

/** The request as the middlewares see it. */
function chainRequest(deps: ProxyDeps, req: ClientRequest, res: ClientResponse, { host, target, client }: Asked): ChainRequest {
  return {
    method: req.method ?? 'GET', headers: req.headers, proto: deps.proto, host, target,
    clientAddress: () => client,
    clientCertificate: () => handshakeOf(req.socket)?.client,
    limitRejectionStatus: deps.forward.options.limitRejectionStatus,
    authServices: deps.authServices,
    globalRateLimits: deps.globalRateLimits,
    log: deps.log,
    whenDone: (release) => {
      if (res.destroyed || res.writableFinished) release();
      else res.on('close', release);
    },
  };
}

interface Refusal { readonly status: number; readonly text: string; readonly headers: Record<string, string | string[]> }

/** Plain HTTP on a route that redirects to https (ssl-redirect), ACME challenges aside. */
function httpsRedirect(deps: ProxyDeps, route: Route, host: string, target: RequestTarget): Refusal | undefined {
  if (deps.proto !== 'http' || !route.options.sslRedirect || target.matchPath.startsWith(ACME_PREFIX)) return undefined;
  const port = deps.httpsRedirectPort === 443 ? '' : `:${deps.httpsRedirectPort}`;
  return { status: 308, text: 'redirecting to https', headers: { location: `https://${host}${port}${target.upstreamPath}${target.query}` } };
}

/** Answers that need no upstream: redirect to https (a canary's own), body too large, no endpoints. */
function refuse(deps: ProxyDeps, req: ClientRequest, route: Route, host: string, target: RequestTarget): Refusal | undefined {
  const toHttps = httpsRedirect(deps, route, host, target);
  if (toHttps !== undefined) return toHttps;
  const max = route.options.maxBodyBytes;
  const length = Number(req.headers['content-length'] ?? '0');
  if (max !== undefined && length > max) return { status: 413, text: 'request body too large', headers: {} };
  if (route.upstream.endpoints.length === 0) {
    return route.invalidBackend === true ? { status: 500, text: 'invalid backend reference', headers: {} } : { status: 503, text: 'no ready endpoints', headers: {} };
  }
  return undefined;
}

/** The upstream request's headers, with the X-Request-ID a forward auth service was sent first, if one was. */
function upstreamHeaders(deps: ProxyDeps, req: ClientRequest, m: Forwardable): UpstreamHeaders {
  const clientIp = req.socket?.remoteAddress ?? '';
  const built = buildUpstreamHeaders(req.headers, {
    clientIp, proto: deps.proto, host: authorityOf(req) || m.host, port: deps.publicPort,
    trusted: deps.trusted(clientIp), via: deps.forward.options.via,
  });
  const shared = m.plan?.requestId;
  if (shared === undefined) return built;
  built.headers['x-request-id'] = shared;
  return { headers: built.headers, requestId: shared };
}

function send(deps: ProxyDeps, req: ClientRequest, res: ClientResponse, requestBody: Readable | null, untraced: Record0, m: Forwardable): void {
  const { plan } = m;
  const { headers, requestId } = upstreamHeaders(deps, req, m);
  const span = deps.tracer?.begin(m.route, req, deps.proto);
  if (span !== undefined) deps.tracer?.propagate(span, headers);
  const base = span === undefined ? untraced : { ...untraced, span };
  const path = applyPlan(headers, plan, m.target);
  const max = m.route.options.maxBodyBytes;
  const limited = requestBody === null || max === undefined ? requestBody : limitBody(requestBody, max);
  const mirrored = startMirrors(deps, m, { method: base.method, path, headers, timeoutMs: m.route.options.readTimeoutMs }, limited);
  const body = mirrored === undefined ? limited : mirrored.body;
  const intercept = interceptedStatuses(m.route);
  const compression = compressionRequest(deps.forward.options.compression, req, base.method);
  const out: Outbound = {
    route: m.route, method: base.method, path, headers, body, intercept, ...plannedForwarding(plan, httpsHsts(deps, m.route)), ...(compression === undefined ? {} : { compression }),
  };
  forward(deps.forward, out, res, (r: ForwardResult) => {
    mirrored?.done();
    const replaced = intercept === undefined ? undefined : replacedStatus(r, intercept, statusOf(r), res.destroyed);
    if (replaced === undefined) {
      finish(deps, res, base, r, requestId);
      return;
    }
    // nginx custom-http-errors: the route's default backend answers instead.
    const page = errorPageOutbound(out, replaced, { url: req.url ?? '/', host: authorityOf(req) || m.host, headers: req.headers });
    forward(deps.forward, page, res, (answer) => { finish(deps, res, base, answer, requestId); });
  });
}

/** What the middlewares' plan says about forwarding besides the request's path and headers; and HSTS, set over the upstream's own. */
function plannedForwarding(plan: ForwardPlan | undefined, hsts: string | undefined): Partial<Outbound> {
  const sts = hsts === undefined ? undefined : stsHeader(hsts);
  if (plan === undefined) return sts === undefined ? {} : { responseHeaders: sts };
  const { removeResponseHeaders, appendResponseHeaders, session, responseRate, hash, responseRewrite, authCookies } = plan;
  const responseHeaders = sts === undefined ? plan.responseHeaders : { ...plan.responseHeaders, ...sts };
  return { responseHeaders, removeResponseHeaders, appendResponseHeaders, session, responseRate, hash, responseRewrite, authCookies };
}

const STS = 'strict-transport-security';
/** The header set for each HSTS value (one or two per process: --hsts*), made once, not per request. */
const stsHeaders = new Map<string, Readonly<Record<string, string>>>();

function stsHeader(hsts: string): Readonly<Record<string, string>> {
  let header = stsHeaders.get(hsts);
  if (header === undefined) {
    header = Object.freeze({ [STS]: hsts });
    stsHeaders.set(hsts, header);
  }
  return header;
}

/** --use-gzip / --enable-brotli: what the answer may be compressed with, from the request. */
function compressionRequest(settings: CompressionSettings | undefined, req: ClientRequest, method: string): Outbound['compression'] {
  if (settings === undefined) return undefined;
  const accepts = acceptedEncodings(req.headers['accept-encoding'], { major: req.httpVersionMajor, minor: req.httpVersionMinor ?? 1 });
  return { settings, request: { accepts, headerOnly: method === 'HEAD' } };
}

/** RouteOptions.hsts, on HTTPS only (ingress-nginx: `if ($scheme = https)`). */
function httpsHsts(deps: ProxyDeps, route: Route | undefined): string | undefined {
  return deps.proto === 'https' ? route?.options.hsts : undefined;
}

/** `headers` with the route's HSTS added, for an answer Bollard gives itself. */
function withHsts(deps: ProxyDeps, route: Route | undefined, headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const hsts = httpsHsts(deps, route);
  return hsts === undefined ? headers : { ...headers, ...stsHeader(hsts) };
}

/** The copies for the route's RequestMirror filters, if it has any; the body the upstream then reads. */
function startMirrors(deps: ProxyDeps, m: Forwardable, req: MirroredRequest, body: Readable | null): MirrorStart | undefined {
  const mirrors = m.plan?.mirrors;
  return mirrors === undefined ? undefined : deps.mirrors.start(mirrors, m.upstreams, req, body);
}

function statusOf(r: ForwardResult): number {
  return r.error === undefined ? r.status : classify(r.error).status;
}

/** Answers what the forwarding could not (a failure before the response started) and records the request. */
function finish(deps: ProxyDeps, res: ClientResponse, base: Record0, r: ForwardResult, requestId: string): void {
  const upstream = r.endpoint ? `${r.endpoint.host}:${r.endpoint.port}` : undefined;
  const failure = r.error ? classify(r.error) : undefined;
  const status = failure?.status ?? r.status;
  let bytes = r.bytes;
  if (failure && !r.started) bytes = reply(res, failure.status, failure.text, withHsts(deps, base.route, {}));
  else if (failure) res.destroy();
  // No endpoint left to try: 503 when there was none, 502 when every one tried refused.
  else if (!r.started) bytes = reply(res, r.status, r.status === 503 ? 'no ready endpoints' : 'upstream unavailable', withHsts(deps, base.route, {}));
  deps.onDone({ ...base, status, bytes, upstream, errorKind: failure?.kind, requestId });
}

/** An upstream failure as the client's status, the error kind for logs and metrics, and a short text. */
export function classify(err: Error): { status: number; kind: string; text: string } {
  if (err instanceof BodyTooLargeError) return { status: 413, kind: 'body_too_large', text: 'request body too large' };
  if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) return { status: 504, kind: 'timeout', text: 'upstream timed out' };
  if (err instanceof errors.ConnectTimeoutError) return { status: 504, kind: 'connect_timeout', text: 'upstream connect timed out' };
  if (err instanceof errors.RequestAbortedError) return { status: 499, kind: 'client_abort', text: '' };
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { status: 502, kind: 'connect', text: 'upstream unavailable' };
  return { status: 502, kind: 'reset', text: 'upstream unavailable' };
}
