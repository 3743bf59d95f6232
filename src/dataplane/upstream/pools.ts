// One undici dispatcher per (protocol, endpoint), shared by every upstream that contains it and
// reused across table swaps; dispatchers of endpoints that left the table are closed gracefully
// (in-flight requests finish). HTTP/HTTPS use a Pool (HTTPS offers h2 by ALPN only for gRPC),
// h2c uses H2CClient. Upstream TLS certificates are not verified (backends inside the cluster
// commonly use self-signed ones), as ingress-nginx does by default, unless a route's UpstreamTls
// (nginx proxy-ssl-*) says otherwise: its endpoints then get dispatchers of their own.
import { H2CClient, Pool, type Dispatcher } from 'undici';
import type { BackendProtocol, Endpoint, RoutingTable, UpstreamTls } from '../../routing/types.ts';
import { endpointKey, EndpointStats } from './endpoint-stats.ts';
import { upstreamTlsConnector } from './upstream-tls.ts';

export interface PoolOptions {
  readonly connectTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectionsPerEndpoint: number;
}

export const defaultPoolOptions: PoolOptions = {
  connectTimeoutMs: 5_000,
  keepAliveTimeoutMs: 60_000,
  connectionsPerEndpoint: 256,
};

const scheme = (p: BackendProtocol): string => (p === 'HTTPS' || p === 'GRPCS' ? 'https' : 'http');

export class UpstreamPools {
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly statsByEndpoint = new Map<string, EndpointStats>();
  private readonly options: PoolOptions;
  private latestEjectionEnd = 0;

  constructor(options: PoolOptions = defaultPoolOptions) {
    this.options = options;
  }

  /**
   * @param connectTimeoutMs a route's own connect timeout, and `tls` its own upstream TLS settings:
   * its endpoints get dispatchers of their own.
   */
  dispatcher(e: Endpoint, protocol: BackendProtocol, connectTimeoutMs?: number, tls?: UpstreamTls): Dispatcher {
    const variant = `${connectTimeoutMs === undefined ? '' : `/${connectTimeoutMs}`}${tls === undefined ? '' : `/${tls.key}`}`;
    return this.dispatcherFor(`${protocol}${variant} ${endpointKey(e)}`, e, protocol, connectTimeoutMs, tls);
  }

  /** Request mirrors get connections of their own: a stalled mirror never holds the connections clients wait for. */
  mirrorDispatcher(e: Endpoint, protocol: BackendProtocol): Dispatcher {
    return this.dispatcherFor(`${protocol}/mirror ${endpointKey(e)}`, e, protocol, undefined, undefined);
  }

  private dispatcherFor(key: string, e: Endpoint, protocol: BackendProtocol, connectTimeoutMs: number | undefined, tls: UpstreamTls | undefined): Dispatcher {
    let d = this.dispatchers.get(key);
    if (!d) {
      d = this.create(e, protocol, connectTimeoutMs ?? this.options.connectTimeoutMs, tls);
      this.dispatchers.set(key, d);
    }
    return d;
  }

  stats(e: Endpoint): EndpointStats {
    const key = endpointKey(e);
    let s = this.statsByEndpoint.get(key);
    if (!s) {
      s = new EndpointStats();
      this.statsByEndpoint.set(key, s);
    }
    return s;
  }

  /** Records an ejection, so the balancer knows to check endpoint health until it has passed. */
  noteEjection(until: number): void {
    this.latestEjectionEnd = Math.max(this.latestEjectionEnd, until);
  }

  ejectionsUntil(): number {
    return this.latestEjectionEnd;
  }

  /** Closes dispatchers (and forgets stats) of endpoints no longer in `table`. */
  retain(table: RoutingTable): void {
    const live = new Set<string>();
    for (const u of table.upstreams.values()) for (const e of u.endpoints) live.add(endpointKey(e));
    for (const [key, d] of this.dispatchers) {
      if (live.has(key.slice(key.indexOf(' ') + 1))) continue;
      this.dispatchers.delete(key);
      void d.close().catch(() => undefined);
    }
    for (const key of this.statsByEndpoint.keys()) if (!live.has(key)) this.statsByEndpoint.delete(key);
  }

  async close(): Promise<void> {
    const all = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.allSettled(all.map((d) => d.close()));
  }

  private create(e: Endpoint, protocol: BackendProtocol, connectTimeoutMs: number, tls: UpstreamTls | undefined): Dispatcher {
    const o = this.options;
    const origin = `${scheme(protocol)}://${endpointKey(e)}`;
    const common = { keepAliveTimeout: o.keepAliveTimeoutMs, headersTimeout: 0, bodyTimeout: 0 };
    if (protocol === 'H2C' || protocol === 'GRPC') {
      return new H2CClient(origin, { ...common, connect: { timeout: connectTimeoutMs } });
    }
    const h2 = protocol === 'GRPCS';
    return new Pool(origin, {
      ...common,
      connections: o.connectionsPerEndpoint,
      allowH2: h2,
      connect: tls === undefined
        ? { timeout: connectTimeoutMs, rejectUnauthorized: false, ...(h2 ? { ALPNProtocols: ['h2'] } : { ALPNProtocols: ['http/1.1'] }) }
        : upstreamTlsConnector(tls, { timeout: connectTimeoutMs, allowH2: h2 }),
    });
  }
}
