// Chooses an endpoint of an upstream: round-robin, least-request or EWMA (both as "power of two
// choices", which balances as well as a full scan at O(1)). Ejected and already-tried endpoints
// are skipped; when every endpoint is ejected, all are eligible again (fail open). A sticky session
// names an endpoint by its hash: while that endpoint is eligible it is the pick, whatever the policy.
import type { Endpoint, LoadBalancing, Upstream } from '../../routing/types.ts';
import { endpointKey, type EndpointStats } from './endpoint-stats.ts';
import { endpointHash } from './endpoint-hash.ts';

export interface BalancerDeps {
  readonly stats: (e: Endpoint) => EndpointStats;
  /** Until when some endpoint may still be ejected; before that, no per-endpoint health check is needed. */
  readonly ejectionsUntil: () => number;
  readonly now: () => number;
  readonly random: () => number;
}

export class Balancer {
  private readonly cursors = new Map<string, number>();
  private readonly deps: BalancerDeps;

  constructor(deps: BalancerDeps) {
    this.deps = deps;
  }

  pick(upstream: Upstream, policy: LoadBalancing, tried?: ReadonlySet<string>, stickTo?: string): Endpoint | undefined {
    const candidates = this.eligible(upstream.endpoints, tried);
    if (stickTo !== undefined) {
      const sticky = candidates.find((e) => endpointHash(e) === stickTo);
      if (sticky !== undefined) return sticky;
    }
    if (candidates.length <= 1) return candidates[0];
    if (policy === 'round-robin') {
      const i = this.cursors.get(upstream.key) ?? 0;
      this.cursors.set(upstream.key, (i + 1) % 1_000_000_000);
      return candidates[i % candidates.length];
    }
    // Two distinct random candidates (with two endpoints: both, so the lighter always wins).
    const n = candidates.length;
    const i = Math.floor(this.deps.random() * n);
    const j = (i + 1 + Math.floor(this.deps.random() * (n - 1))) % n;
    const a = candidates[i];
    const b = candidates[j];
    if (a === undefined || b === undefined) return a ?? b;
    return this.load(a, policy) <= this.load(b, policy) ? a : b;
  }

  /** Forgets cursors of upstreams that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.cursors.keys()) if (!keys.has(key)) this.cursors.delete(key);
  }

  private load(e: Endpoint, policy: LoadBalancing): number {
    const s = this.deps.stats(e);
    return policy === 'ewma' ? s.ewmaMs * (s.inflight + 1) : s.inflight;
  }

  private eligible(endpoints: readonly Endpoint[], tried: ReadonlySet<string> | undefined): readonly Endpoint[] {
    const now = this.deps.now();
    const untried = tried === undefined || tried.size === 0 ? endpoints : endpoints.filter((e) => !tried.has(endpointKey(e)));
    // The common case, nothing ejected anywhere: no scan over the endpoints per request.
    if (now >= this.deps.ejectionsUntil()) return untried;
    let healthy: Endpoint[] | undefined;
    for (let i = 0; i < untried.length; i++) {
      const e = untried[i];
      if (e === undefined) continue;
      const ejected = this.deps.stats(e).isEjected(now);
      if (ejected && healthy === undefined) healthy = untried.slice(0, i);
      else if (!ejected && healthy !== undefined) healthy.push(e);
    }
    if (healthy === undefined) return untried;
    return healthy.length > 0 ? healthy : untried;
  }
}
