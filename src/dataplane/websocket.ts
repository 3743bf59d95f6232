// HTTP/1.1 Upgrade to WebSocket. The HTTP/1 handling hands over only upgrades that offer
// WebSocket (upgrade-protocol.ts); the request is matched like any other (404, 308, 503 apply),
// then the handshake goes upstream through undici (upgrade-exchange.ts). Nothing more is read
// from the client until the upstream has switched protocols with a valid Sec-WebSocket-Accept:
// then the 101 is passed on and the sockets are joined (tunnels.ts). Any other answer is relayed
// as an ordinary response and the connection closes (closing-response.ts), so bytes the client
// sends after a refused upgrade are never forwarded unparsed.
import type { Socket } from 'node:net';
import type { Http1Request } from './http1/connection.ts';
import { matchRoute, normalizeHost, tableForConnection, type LocalEnd } from '../routing/match.ts';
import { pickBackend, requestFacts } from './request-facts.ts';
import type { Endpoint, Route } from '../routing/types.ts';
import { chooseBackend } from './canary.ts';
import { clientAddress, type TrustCheck } from './client-address.ts';
import type { AuthServices } from './middleware/auth-services.ts';
import type { GlobalRateLimits } from './global-rate/global-rate-limits.ts';
import { applyPlan, isLocalAnswer, runChain, whenSettled, type ChainOutcome, type ForwardPlan } from './middleware/chain.ts';
import { closingResponse } from './closing-response.ts';
import { misdirected } from './misdirected.ts';
import { handshakeOf } from './tls/handshake-record.ts';
import { reply, type ClientRequest, type ClientResponse } from './client-response.ts';
import type { ForwardDeps } from './forward.ts';
import { buildClientHeaders, buildUpstreamHeaders } from './forward-headers.ts';
import { classify, type RequestRecord } from './proxy-handler.ts';
import { clientOf } from './client-address.ts';
import { normalizeRequestTarget, type RequestTarget } from './request-path.ts';
import type { TableHolder } from './table-holder.ts';
import type { Logger } from '../log/logger.ts';
import type { Balancer } from './upstream/balancer.ts';
import type { Tunnels } from './tunnels.ts';
import type { ServerSpan } from './tracing/span.ts';
import type { Tracer } from './tracing/tracer.ts';
import { dispatchUpgrade, InvalidAcceptError, type UpgradeOutcome, type UpgradeRequest } from './upgrade-exchange.ts';
import { webSocketAccept, webSocketKey } from './upgrade-protocol.ts';

export interface UpgradeDeps {
  readonly tables: TableHolder;
  readonly forward: ForwardDeps;
  readonly proto: 'http' | 'https';
  readonly trusted: TrustCheck;
  readonly publicPort: number;
  readonly httpsRedirectPort: number;
  readonly onDone: (record: RequestRecord) => void;
  /** Open tunnels: counted, timed out when idle, closed once the drain period is over. */
  readonly tunnels: Tunnels;
  /** Connections to forward authentication services, and their cache counters. */
  readonly authServices?: AuthServices;
  readonly globalRateLimits?: GlobalRateLimits;
  /** Where middlewares log (nginx enable-rewrite-log). */
  readonly log?: Logger;
  /** Server spans of traced routes: an upgrade's ends when its tunnel closes, as its access-log line. */
  readonly tracer?: Tracer | undefined;
}

/** A record before its outcome is known. */
export type UpgradeRecord = Omit<RequestRecord, 'status' | 'bytes' | 'upstream' | 'errorKind' | 'tunnel'>;

export function createUpgradeHandler(deps: UpgradeDeps): (req: Http1Request, socket: Socket, head: Buffer) => void {
  return (req, socket, head) => {
    // Until the upstream has switched protocols, the client's next bytes stay unread.
    socket.pause();
    const startedAt = performance.now();
    const res = closingResponse(socket);
    const host = normalizeHost(req.headers.host ?? '');
    const target = normalizeRequestTarget(req.url);
    const key = webSocketKey(req.method, req.headers);
    const base: UpgradeRecord = { method: req.method, host: host ?? '', path: target?.matchPath ?? '', client: clientOf(req, deps.trusted), route: undefined, requestId: undefined, startedAt };
    if (host === undefined || target === undefined || key === undefined) {
      answerLocally(deps, req, res, base, { status: 400, text: 'bad websocket handshake' });
      return;
    }
    const clientIp = socket.remoteAddress ?? '';
    whenSettled(decide(deps, host, target, { method: req.method, headers: req.headers, peer: clientIp, connection: socket }), (decision) => {
      if ('status' in decision) answerLocally(deps, req, res, { ...base, route: decision.route }, decision);
      else upgrade(deps, req, socket, head, res, base, target, key, decision);
    }, () => { socket.destroy(); });
  };
}

function upgrade(
  deps: UpgradeDeps, req: Http1Request, socket: Socket, head: Buffer, res: ClientResponse, base: UpgradeRecord, target: RequestTarget, key: string,
  { route, endpoint, plan }: Decided,
): void {
  const clientIp = socket.remoteAddress ?? '';
  const { host } = base;
  const { headers, requestId } = buildUpstreamHeaders(req.headers, {
    clientIp, proto: deps.proto, host: req.headers.host ?? host, port: deps.publicPort, trusted: deps.trusted(clientIp), via: deps.forward.options.via,
  });
  const path = applyPlan(headers, plan, target);
  const record: UpgradeRecord = { ...base, route, requestId, ...tracedUpgrade(deps, route, req, headers) };
  const abort = askUpstream(deps, res, { route, endpoint, path, headers, accept: webSocketAccept(key) }, record, () => socket.destroyed, (outcome, upstream) => {
    socket.write(switchingProtocols(outcome, deps.forward.options.via), 'latin1');
    deps.tunnels.join(socket, outcome.socket, head, { record: { ...record, status: 101, upstream, errorKind: undefined }, idleTimeoutMs: route.options.tunnelIdleTimeoutMs });
  });
  res.on('close', () => { if (!res.writableFinished) abort(); });
}

interface Refusal { readonly status: number; readonly text: string; readonly route?: Route; readonly headers?: Record<string, string | string[]> }

/** An upgrade that goes ahead: its route, the endpoint asked and the middlewares' plan. */
export type Decided = { route: Route; endpoint: Endpoint; plan: ForwardPlan | undefined };

/** What the route's middlewares see of an upgrade request. */
export interface UpgradeAsked {
  readonly method: string;
  readonly headers: Http1Request['headers'];
  readonly peer: string;
  /** The connection, whose local address picks a Gateway's own table (read only then). */
  readonly connection: LocalEnd | undefined;
}

/** Where an upgrade goes: a refusal (maybe a redirect) or a route, an endpoint and the middlewares' plan. */
export function decide(deps: UpgradeDeps, host: string, target: RequestTarget, asked: UpgradeAsked): Refusal | Decided | Promise<Refusal | Decided> {
  const table = tableForConnection(deps.tables.current(), asked.connection);
  if (deps.proto === 'https' && misdirected(table.tls, handshakeOf(asked.connection), host)) return { status: 421, text: 'misdirected request: open a connection for this host' };
  const matched = matchRoute(table, host, target.matchPath, requestFacts(asked.method, deps.proto, asked.headers, target.query));
  if (matched === undefined) return { status: 404, text: 'no route' };
  const route = pickBackend(matched);
  if (route.middlewares === undefined) return afterChain(deps, host, target, asked, route, undefined);
  const outcome = runChain(route.middlewares, {
    method: asked.method, headers: asked.headers, proto: deps.proto, host, target,
    clientAddress: () => clientAddress(asked.peer, asked.headers['x-forwarded-for'], deps.trusted),
    clientCertificate: () => handshakeOf(asked.connection)?.client,
    limitRejectionStatus: deps.forward.options.limitRejectionStatus,
    authServices: deps.authServices,
    globalRateLimits: deps.globalRateLimits,
    log: deps.log,
    // An upgrade is not counted as in progress once decided (catalog.ts: limit-connections).
    whenDone: (release) => { release(); },
  });
  return outcome instanceof Promise
    ? outcome.then((settled) => afterChain(deps, host, target, asked, route, settled))
    : afterChain(deps, host, target, asked, route, outcome);
}

function afterChain(deps: UpgradeDeps, host: string, target: RequestTarget, asked: UpgradeAsked, matched: Route, outcome: ChainOutcome | undefined): Refusal | Decided {
  if (outcome !== undefined && isLocalAnswer(outcome)) return { status: outcome.status, text: outcome.text, route: matched, headers: outcome.headers };
  const route = chooseBackend(matched, asked.headers, outcome);
  const plan = outcome;
  if (deps.proto === 'http' && route.options.sslRedirect) {
    const port = deps.httpsRedirectPort === 443 ? '' : `:${deps.httpsRedirectPort}`;
    return { status: 308, text: 'redirecting to https', route, headers: { location: `https://${host}${port}${target.upstreamPath}${target.query}` } };
  }
  const endpoint = upgradeEndpoint(deps.forward.balancer, route, plan);
  return endpoint === undefined ? { status: 503, text: 'no ready endpoints', route } : { route, endpoint, plan };
}

/**
 * A session cookie set by an earlier answer keeps the upgrade on its endpoint too (the 101 sets
 * none); a consistent-hash key leads it as it leads requests.
 */
function upgradeEndpoint(balancer: Balancer, route: Route, plan: ForwardPlan | undefined): Endpoint | undefined {
  const key = plan?.session?.key;
  return (key === undefined ? undefined : balancer.stick(route.upstream, key)?.endpoint) ?? balancer.choose(route.upstream, route.options.loadBalancing, plan?.hash);
}

/**
 * The upgrade's server span when its route is traced, its traceparent told to the upstream; the
 * span ends with the record (the tunnel's close, or the upstream's refusal).
 */
export function tracedUpgrade(deps: UpgradeDeps, route: Route, req: ClientRequest, headers: Record<string, string | string[]>): { span?: ServerSpan } {
  const span = deps.tracer?.begin(route, req, deps.proto);
  if (span === undefined) return {};
  deps.tracer?.propagate(span, headers);
  return { span };
}

/** A refusal that needs no upstream; traced as a refused request is (proxy-handler.ts). */
export function answerLocally(deps: UpgradeDeps, req: ClientRequest, res: ClientResponse, base: UpgradeRecord, refusal: Refusal): void {
  reply(res, refusal.status, refusal.text, refusal.headers ?? {});
  const span = deps.tracer?.begin(base.route, req, deps.proto);
  deps.onDone({ ...base, status: refusal.status, bytes: 0, upstream: undefined, errorKind: undefined, ...(span === undefined ? {} : { span }) });
}

/**
 * Sends the handshake upstream. A refusal is relayed (finishRefused); a switch the client did not
 * wait for is closed and logged 499; `switched` gets the upstream socket otherwise. Returns abort.
 */
export function askUpstream(
  deps: UpgradeDeps, res: ClientResponse, req: UpgradeRequest, record: UpgradeRecord, clientGone: () => boolean,
  switched: (outcome: UpgradeOutcome & { switched: true }, upstream: string) => void,
): () => void {
  const upstream = `${req.endpoint.host}:${req.endpoint.port}`;
  return dispatchUpgrade(deps.forward, req, res, (outcome) => {
    if (!outcome.switched) {
      finishRefused(deps, res, record, upstream, outcome);
    } else if (clientGone()) {
      outcome.socket.destroy();
      deps.onDone({ ...record, status: 499, bytes: 0, upstream, errorKind: 'client_abort' });
    } else {
      switched(outcome, upstream);
    }
  });
}

/** The upstream did not switch: its answer was relayed, or it failed and gets our 5xx (a 101 without a valid accept: 502). */
export function finishRefused(deps: UpgradeDeps, res: ClientResponse, base: UpgradeRecord, upstream: string, outcome: UpgradeOutcome & { switched: false }): void {
  const failure = outcome.error === undefined ? undefined
    : outcome.error instanceof InvalidAcceptError ? { status: 502, kind: outcome.error.code, text: 'upstream unavailable' } : classify(outcome.error);
  if (failure && !outcome.started) reply(res, failure.status, failure.text, {});
  else if (failure) res.destroy();
  deps.onDone({ ...base, status: failure?.status ?? outcome.status, bytes: outcome.bytes, upstream, errorKind: failure?.kind });
}

/** The upstream's 101 as passed on: its end-to-end fields, our Connection and Upgrade. */
function switchingProtocols(outcome: UpgradeOutcome & { switched: true }, via: boolean): string {
  let head = 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n';
  const fields = buildClientHeaders(outcome.headers, via);
  for (const name in fields) {
    const value = fields[name];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${String(v)}\r\n`;
  }
  return `${head}\r\n`;
}
