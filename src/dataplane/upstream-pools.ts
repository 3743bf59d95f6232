// One undici Pool per endpoint, shared by every upstream that contains it and reused across
// table swaps; pools of endpoints that left the table are closed gracefully (in-flight
// requests finish). Round-robin position is kept per upstream key, outside the table.
import { Pool } from 'undici';
import type { Endpoint, RoutingTable, Upstream } from '../routing/types.ts';

export interface PoolOptions {
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectionsPerEndpoint: number;
}

export const defaultPoolOptions: PoolOptions = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  keepAliveTimeoutMs: 60_000,
  connectionsPerEndpoint: 128,
};

const endpointKey = (e: Endpoint): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private readonly cursor = new Map<string, number>();
  private readonly options: PoolOptions;

  constructor(options: PoolOptions = defaultPoolOptions) {
    this.options = options;
  }

  /** The next endpoint of `upstream` in round-robin order with its pool; undefined when it has none. */
  pick(upstream: Upstream): { endpoint: Endpoint; pool: Pool } | undefined {
    const n = upstream.endpoints.length;
    if (n === 0) return undefined;
    const i = (this.cursor.get(upstream.key) ?? 0) % n;
    this.cursor.set(upstream.key, i + 1);
    const endpoint = upstream.endpoints[i];
    if (endpoint === undefined) return undefined;
    return { endpoint, pool: this.poolFor(endpoint) };
  }

  /** Closes the pools of endpoints no longer in `table` and forgets cursors of vanished upstreams. */
  retain(table: RoutingTable): void {
    const live = new Set<string>();
    for (const u of table.upstreams.values()) for (const e of u.endpoints) live.add(endpointKey(e));
    for (const [key, pool] of this.pools) {
      if (live.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
    for (const key of this.cursor.keys()) if (!table.upstreams.has(key)) this.cursor.delete(key);
  }

  size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(all.map((p) => p.close()));
  }

  private poolFor(e: Endpoint): Pool {
    const key = endpointKey(e);
    let pool = this.pools.get(key);
    if (!pool) {
      const o = this.options;
      pool = new Pool(`http://${key}`, {
        connections: o.connectionsPerEndpoint,
        connect: { timeout: o.connectTimeoutMs },
        headersTimeout: o.headersTimeoutMs,
        bodyTimeout: o.bodyTimeoutMs,
        keepAliveTimeout: o.keepAliveTimeoutMs,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }
}
