// TLS connections routed by server name before any HTTP:
// - nginx ssl-passthrough (with --enable-ssl-passthrough): a TLS connection whose server name is
//   the host of a passthrough route is not terminated here. Its bytes, the ClientHello already read
//   included, go unchanged to an endpoint of the host's "/" route, as ingress-nginx sends them to
//   the backend of its "/" location.
// - Gateway API TLSRoutes (RoutingTable.tlsStreams of the table the connection arrived on):
//   Passthrough the same way; Terminate after the handshake, with the decrypted bytes. A name no
//   route takes on a port of TLS listeners only is refused (the connection is closed).
// The joined connection is a tunnel (../tunnels.ts): counted while open, one access-log line with
// the bytes of both directions when it closes, closed when quiet both ways for the route's tunnel
// idle timeout or when the data plane closes after the drain period.
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { lookupTlsStream, tableForConnection } from '../../routing/match.ts';
import type { Route, RoutingTable } from '../../routing/types.ts';
import type { RequestRecord } from '../proxy-handler.ts';
import { pickBackend } from '../request-facts.ts';
import { handshakeOf } from './handshake-record.ts';
import type { TableHolder } from '../table-holder.ts';
import type { Tunnels } from '../tunnels.ts';
import type { Balancer } from '../upstream/balancer.ts';
import { endpointKey } from '../upstream/endpoint-stats.ts';

/** How a routed TLS connection began; labels bollard_tls_passthrough_connections_total. */
export type PassthroughOutcome = 'connected' | 'no_endpoints' | 'connect_error' | 'no_route';

export interface PassthroughDeps {
  readonly tables: TableHolder;
  readonly balancer: Balancer;
  readonly tunnels: Tunnels;
  readonly connectTimeoutMs: number;
  /** --enable-ssl-passthrough: honour nginx ssl-passthrough routes. */
  readonly nginx: boolean;
  readonly onOutcome: (outcome: PassthroughOutcome) => void;
  /** A connection that never reached an endpoint, recorded as nginx's stream module does (502, 503). */
  readonly onDone: (record: RequestRecord) => void;
}

/**
 * What a TLS connection is, by its ClientHello: "taken" (passed through, or refused), "http" (TLS
 * ends here, HTTP follows), or a TLSRoute whose backend gets the plain bytes after the handshake.
 */
export type HelloVerdict = 'taken' | 'http' | { readonly stream: Route };

/** Called with `raw` paused and `hello` read off it. */
export type HelloRouter = (servername: string | undefined, raw: Socket, hello: Buffer) => HelloVerdict;

export interface TlsRouting {
  readonly routeHello: HelloRouter;
  /** A terminated TLSRoute connection: its plain bytes go to the route's backend. */
  readonly relayTerminated: (socket: TLSSocket, route: Route) => void;
}

/** The host's "/" route when the host passes TLS through: exact server names only, as ingress-nginx matches them. */
export function lookupPassthroughRoute(table: RoutingTable, servername: string): Route | undefined {
  const routes = table.hosts.get(servername);
  const root = routes?.prefix.get('/') ?? routes?.exact.get('/');
  return root?.options.sslPassthrough === true ? root : undefined;
}

/** The method of a routed connection's access-log line (it has no HTTP request). */
const PASSTHROUGH = 'TLS-PASSTHROUGH';
const TERMINATE = 'TLS-TERMINATE';

export function createTlsRouting(deps: PassthroughDeps): TlsRouting {
  const routeHello: HelloRouter = (servername, raw, hello) => {
    const table = deps.tables.current();
    const nginx = deps.nginx && servername !== undefined ? lookupPassthroughRoute(table, servername) : undefined;
    if (nginx !== undefined) {
      relay(deps, { route: nginx, client: raw, pending: hello, host: servername ?? '', method: PASSTHROUGH });
      return 'taken';
    }
    const stream = lookupTlsStream(tableForConnection(table, raw), servername);
    if (stream === undefined) return 'http';
    if (stream === 'refused') {
      deps.onOutcome('no_route');
      raw.destroy();
      return 'taken';
    }
    if (stream.mode === 'terminate') return { stream: stream.route };
    relay(deps, { route: pickBackend(stream.route), client: raw, pending: hello, host: servername ?? '', method: PASSTHROUGH });
    return 'taken';
  };
  return {
    routeHello,
    relayTerminated: (socket, route) => {
      const host = handshakeOf(socket)?.servername ?? '';
      relay(deps, { route: pickBackend(route), client: socket, pending: Buffer.alloc(0), host, method: TERMINATE });
    },
  };
}

export interface Relayed {
  readonly route: Route;
  readonly client: Duplex;
  /** Bytes already read from the client (the ClientHello), sent first. */
  readonly pending: Buffer;
  readonly host: string;
  readonly method: string;
}

/** Joins `client` to an endpoint of `route` as a tunnel (also used for TCPRoutes, ../tcp-streams.ts). */
export function relay(deps: Omit<PassthroughDeps, 'nginx'>, { route, client, pending, host, method }: Relayed): void {
  const startedAt = performance.now();
  const base = { method, host, path: '', route, requestId: undefined, startedAt };
  const endpoint = deps.balancer.pick(route.upstream, route.options.loadBalancing);
  if (endpoint === undefined) {
    deps.onOutcome('no_endpoints');
    deps.onDone({ ...base, status: 503, bytes: 0, upstream: undefined, errorKind: undefined });
    client.destroy();
    return;
  }
  const upstream = connect({ host: endpoint.host, port: endpoint.port, noDelay: true, timeout: deps.connectTimeoutMs });
  const address = endpointKey(endpoint);
  const onClientGone = (): void => {
    upstream.destroy();
    deps.onDone({ ...base, status: 499, bytes: 0, upstream: address, errorKind: 'client_abort' });
  };
  let failedOnce = false;
  const failed = (errorKind: string): void => {
    if (failedOnce) return;
    failedOnce = true;
    client.off('close', onClientGone);
    upstream.destroy();
    client.destroy();
    deps.onOutcome('connect_error');
    deps.onDone({ ...base, status: 502, bytes: 0, upstream: address, errorKind });
  };
  client.once('close', onClientGone);
  upstream.once('timeout', () => { failed('timeout'); });
  upstream.once('error', () => { failed('connect'); });
  upstream.once('connect', () => {
    upstream.removeAllListeners('timeout').removeAllListeners('error').setTimeout(0);
    client.off('close', onClientGone);
    deps.onOutcome('connected');
    deps.tunnels.join(client, upstream, pending, {
      record: { ...base, status: 200, upstream: address, errorKind: undefined }, idleTimeoutMs: route.options.tunnelIdleTimeoutMs,
    });
  });
}
