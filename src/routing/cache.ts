// BuildCache: what buildRoutingTable may remember between builds so that a build costs what changed,
// not what exists. Its owner (the reconciler) passes the same cache to every build; the cache never
// changes a result (a build with a new cache, or none, gives an equal table and equal diagnostics).
// Unchanged parts of the table come back as the same objects, so tablesEqual settles them by identity.
import type { SecretObject } from '../snapshot/model.ts';
import type { Engine } from './engine.ts';
import type { CompiledByTable } from './gateway/build-gateway.ts';
import { GatewayRouteCache } from './gateway/route-cache.ts';
import { MergeMemo } from './gateway/merge-memo.ts';
import { RouteOutcomes } from './gateway/route-outcomes.ts';
import type { TlsSecretResult } from './tls-secret.ts';

export class BuildCache {
  /**
   * TLS Secrets as read, by object. Snapshot objects are immutable and replaced when they change,
   * so an unchanged Secret is decoded once, and an entry goes when the snapshot drops its Secret.
   */
  readonly secretReadings = new WeakMap<SecretObject, TlsSecretResult>();
  /** Gateway API routes as compiled, by route object (gateway/route-cache.ts). */
  readonly gatewayRoutes = new GatewayRouteCache<CompiledByTable>();
  /** Gateway API hosts as merged, by their candidates (gateway/merge-memo.ts). */
  readonly gatewayMerge = new MergeMemo();
  /** Gateway API routes' attachments and status reports, by route object (gateway/route-outcomes.ts). */
  readonly gatewayOutcomes = new RouteOutcomes();
  private engine: Engine | undefined;

  /** The engine the last build left, handed over to one build at a time. */
  take(): Engine | undefined {
    const engine = this.engine;
    this.engine = undefined;
    return engine;
  }

  /** Kept for the next build; a build that throws never gets here, so the next one starts afresh. */
  keep(engine: Engine): void {
    this.engine = engine;
  }
}

export function createBuildCache(): BuildCache {
  return new BuildCache();
}
