// nginx ssl-passthrough (with --enable-ssl-passthrough): a TLS connection whose server name is the
// host of a passthrough route is not terminated here. Its bytes, the ClientHello already read
// included, go unchanged to an endpoint of the host's "/" route, as ingress-nginx sends them to the
// backend of its "/" location. The joined connection is a tunnel (../tunnels.ts): counted while open,
// one access-log line with the bytes of both directions when it closes, closed when quiet both ways
// for the route's tunnel idle timeout or when the data plane closes after the drain period.
import { connect, type Socket } from 'node:net';
import type { Route, RoutingTable } from '../../routing/types.ts';
import type { RequestRecord } from '../proxy-handler.ts';
import type { TableHolder } from '../table-holder.ts';
import type { Tunnels } from '../tunnels.ts';
import type { Balancer } from '../upstream/balancer.ts';
import { endpointKey } from '../upstream/endpoint-stats.ts';

/** How a passthrough connection began; labels bollard_tls_passthrough_connections_total. */
export type PassthroughOutcome = 'connected' | 'no_endpoints' | 'connect_error';

export interface PassthroughDeps {
  readonly tables: TableHolder;
  readonly balancer: Balancer;
  readonly tunnels: Tunnels;
  readonly connectTimeoutMs: number;
  readonly onOutcome: (outcome: PassthroughOutcome) => void;
  /** A connection that never reached an endpoint, recorded as nginx's stream module does (502, 503). */
  readonly onDone: (record: RequestRecord) => void;
}

/** Takes `raw` (paused, `hello` read off it) when `servername` passes through; false leaves it to TLS. */
export type Passthrough = (servername: string, raw: Socket, hello: Buffer) => boolean;

/** The host's "/" route when the host passes TLS through: exact server names only, as ingress-nginx matches them. */
export function lookupPassthroughRoute(table: RoutingTable, servername: string): Route | undefined {
  const routes = table.hosts.get(servername);
  const root = routes?.prefix.get('/') ?? routes?.exact.get('/');
  return root?.options.sslPassthrough === true ? root : undefined;
}

/** The method and path of a passthrough connection's access-log line (it has no HTTP request). */
const METHOD = 'TLS-PASSTHROUGH';

export function createPassthrough(deps: PassthroughDeps): Passthrough {
  return (servername, raw, hello) => {
    const route = lookupPassthroughRoute(deps.tables.current(), servername);
    if (route === undefined) return false;
    const startedAt = performance.now();
    const base = { method: METHOD, host: servername, path: '', route, requestId: undefined, startedAt };
    const endpoint = deps.balancer.pick(route.upstream, route.options.loadBalancing);
    if (endpoint === undefined) {
      deps.onOutcome('no_endpoints');
      deps.onDone({ ...base, status: 503, bytes: 0, upstream: undefined, errorKind: undefined });
      raw.destroy();
      return true;
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
      raw.off('close', onClientGone);
      upstream.destroy();
      raw.destroy();
      deps.onOutcome('connect_error');
      deps.onDone({ ...base, status: 502, bytes: 0, upstream: address, errorKind });
    };
    raw.once('close', onClientGone);
    upstream.once('timeout', () => { failed('timeout'); });
    upstream.once('error', () => { failed('connect'); });
    upstream.once('connect', () => {
      upstream.removeAllListeners('timeout').removeAllListeners('error').setTimeout(0);
      raw.off('close', onClientGone);
      deps.onOutcome('connected');
      deps.tunnels.join(raw, upstream, hello, {
        record: { ...base, status: 200, upstream: address, errorKind: undefined }, idleTimeoutMs: route.options.tunnelIdleTimeoutMs,
      });
    });
    return true;
  };
}
