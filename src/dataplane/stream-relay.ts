// A connection joined to an endpoint of a route as a byte stream, with no HTTP: TLS routed by
// server name (tls/server-name-routing.ts: nginx ssl-passthrough, TLSRoutes) and TCPRoutes
// (tcp-streams.ts). The joined connection is a tunnel (tunnels.ts): counted while open, one
// access-log line with the bytes of both directions when it closes, closed when quiet both ways
// for the route's tunnel idle timeout or when the data plane closes after the drain period. A
// connection that never reaches an endpoint is recorded as nginx's stream module does (502, 503).
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Route } from '../routing/types.ts';
import type { RequestRecord } from './proxy-handler.ts';
import type { Tunnels } from './tunnels.ts';
import type { Balancer } from './upstream/balancer.ts';
import { endpointKey } from './upstream/endpoint-stats.ts';

/** How a relayed connection began; labels bollard_tls_passthrough_connections_total and bollard_tcp_route_connections_total. */
export type StreamOutcome = 'connected' | 'no_endpoints' | 'connect_error' | 'no_route';

export interface RelayDeps {
  readonly balancer: Balancer;
  readonly tunnels: Tunnels;
  readonly connectTimeoutMs: number;
  readonly onOutcome: (outcome: StreamOutcome) => void;
  /** A connection that never reached an endpoint (502, 503). */
  readonly onDone: (record: RequestRecord) => void;
}

export interface Relayed {
  readonly route: Route;
  readonly client: Duplex;
  /** Bytes already read from the client (the ClientHello), sent first. */
  readonly pending: Buffer;
  readonly host: string;
  readonly method: string;
  /** The client's address (the socket's peer, or the one its PROXY header named). */
  readonly peer: string;
}

/** Joins `client` to an endpoint of `route` as a tunnel. */
export function relay(deps: RelayDeps, { route, client, pending, host, method, peer }: Relayed): void {
  const startedAt = performance.now();
  const base = { method, host, path: '', client: peer, route, requestId: undefined, startedAt };
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
