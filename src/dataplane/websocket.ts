// HTTP/1.1 Upgrade (WebSocket): after matching, the request head is written to an upstream TCP
// (or TLS) connection and the two sockets are joined; the upstream's 101 (or refusal) flows back
// untouched. Redirects and limits apply as for ordinary requests.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Http1Request } from './http1/connection.ts';
import { matchRoute, normalizeHost } from '../routing/match.ts';
import type { Endpoint, Route } from '../routing/types.ts';
import type { TrustCheck } from './client-address.ts';
import type { ForwardDeps } from './forward.ts';
import { buildUpstreamHeaders } from './forward-headers.ts';
import type { RequestRecord } from './proxy-handler.ts';
import { normalizeRequestTarget } from './request-path.ts';
import type { TableHolder } from './table-holder.ts';

export interface UpgradeDeps {
  readonly tables: TableHolder;
  readonly forward: ForwardDeps;
  readonly proto: 'http' | 'https';
  readonly trusted: TrustCheck;
  readonly publicPort: number;
  readonly httpsRedirectPort: number;
  readonly onDone: (record: RequestRecord) => void;
  /** Open tunnels, so shutdown can close them once the drain period is over. */
  readonly tunnels: Set<Duplex>;
}

export function createUpgradeHandler(deps: UpgradeDeps): (req: Http1Request, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const startedAt = performance.now();
    const host = normalizeHost(req.headers.host ?? '');
    const target = normalizeRequestTarget(req.url);
    const decision = host === undefined || target === undefined ? { status: 400 } : decide(deps, host, target.matchPath);
    const record = (status: number, upstream?: string): void => {
      deps.onDone({
        method: req.method, host: host ?? '', path: target?.matchPath ?? '', status, bytes: 0,
        route: 'route' in decision ? decision.route : undefined, upstream, errorKind: undefined, requestId: undefined, startedAt,
      });
    };
    if ('status' in decision || host === undefined || target === undefined) {
      refuse(socket, 'status' in decision ? decision.status : 400, record, 'status' in decision ? decision.location : undefined);
      return;
    }
    join(deps, req, socket, head, { ...decision, host, pathAndQuery: target.upstreamPath + target.query }, record);
  };
}

interface Joinable { readonly route: Route; readonly endpoint: Endpoint; readonly host: string; readonly pathAndQuery: string }

/** Where an upgrade goes: a refusal (status, maybe a redirect) or a route and an endpoint. */
export function decide(deps: UpgradeDeps, host: string, path: string): { status: number; route?: Route; location?: string } | { route: Route; endpoint: Endpoint } {
  const route = matchRoute(deps.tables.current(), host, path);
  if (route === undefined) return { status: 404 };
  if (deps.proto === 'http' && route.options.sslRedirect) {
    const port = deps.httpsRedirectPort === 443 ? '' : `:${deps.httpsRedirectPort}`;
    return { status: 308, route, location: `https://${host}${port}${path}` };
  }
  const endpoint = deps.forward.balancer.pick(route.upstream, route.options.loadBalancing);
  return endpoint === undefined ? { status: 503, route } : { route, endpoint };
}

function join(deps: UpgradeDeps, req: Http1Request, socket: Duplex, head: Buffer, j: Joinable, record: (status: number, upstream?: string) => void): void {
  const { headers } = buildUpstreamHeaders(req.headers, {
    clientIp: req.socket.remoteAddress ?? '', proto: deps.proto, host: req.headers.host ?? j.host, port: deps.publicPort,
    trusted: deps.trusted(req.socket.remoteAddress ?? ''), via: deps.forward.options.via,
  });
  headers.connection = 'upgrade';
  headers.upgrade = req.headers.upgrade ?? 'websocket';
  const upstream = dial(j.route, j.endpoint.host, j.endpoint.port, deps.forward.options.connectTimeoutMs);
  // Sockets buffer writes until connected (and, for TLS, until the handshake is done).
  upstream.write(requestHead(req.method, j.pathAndQuery, headers));
  upstream.write(head);
  upstream.once('error', () => {
    refuse(socket, 502, record);
    upstream.destroy();
  });
  upstream.once('data', (first: Buffer) => {
    upstream.removeAllListeners('error');
    spliceTunnel(deps.tunnels, socket, upstream, first);
    record(statusOf(first), `${j.endpoint.host}:${j.endpoint.port}`);
  });
}

/**
 * Joins a client (socket, or HTTP/2 stream) to its upstream socket once the upgrade succeeded;
 * `first` holds upstream bytes already read. Either side ending ends the tunnel (WebSocket closes
 * in-band before TCP does); open tunnels are tracked so shutdown can close them.
 */
export function spliceTunnel(tunnels: Set<Duplex>, client: Duplex, upstream: Socket, first: Buffer): void {
  if (first.length > 0) client.write(first);
  client.pipe(upstream).pipe(client);
  tunnels.add(client);
  const close = (): void => { client.destroy(); upstream.destroy(); tunnels.delete(client); };
  client.on('error', close).on('end', close).on('close', close);
  upstream.on('error', close).on('end', close).on('close', close);
}

export function dial(route: Route, host: string, port: number, timeoutMs: number): Socket {
  const tls = route.options.backendProtocol === 'HTTPS' || route.options.backendProtocol === 'GRPCS';
  const socket = tls ? tlsConnect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }) : netConnect({ host, port });
  socket.setTimeout(timeoutMs, () => { if (socket.bytesRead === 0) socket.destroy(new Error('upstream connect timed out')); });
  socket.once('data', () => socket.setTimeout(0));
  return socket;
}

export function requestHead(method: string, path: string, headers: Record<string, string | string[]>): string {
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function statusOf(first: Buffer): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(first.subarray(0, 16).toString('latin1'));
  return m ? Number(m[1]) : 502;
}

const REASONS: Readonly<Record<number, string>> = { 308: 'Permanent Redirect', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function refuse(socket: Duplex, status: number, record: (status: number) => void, location?: string): void {
  const extra = location === undefined ? '' : `location: ${location}\r\n`;
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\n${extra}connection: close\r\ncontent-length: 0\r\n\r\n`);
  socket.destroy();
  record(status);
}
