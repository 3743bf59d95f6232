// Chooses an endpoint of an upstream: round-robin, least-request or EWMA (both as "power of two
// choices", which balances as well as a full scan at O(1)). Ejected and already-tried endpoints
// are skipped; when every endpoint is ejected, all are eligible again (fail open). A sticky
// session's key leads to an endpoint (`stick`) before any policy is asked: a persistent key names
// one by its hash, a balanced key is a position on the upstream's session ring.
import type { SessionPersistence } from '../../routing/middleware.ts';
import type { Endpoint, LoadBalancing, Upstream } from '../../routing/types.ts';
import { endpointKey, type EndpointStats } from './endpoint-stats.ts';
import { endpointHash } from './endpoint-hash.ts';
import { formatPosition, type SessionKey } from './session-key.ts';
import { SessionRings } from './session-rings.ts';
import type { RequestHash } from './hash-key.ts';

/** Where a session key led. */
export interface Stuck {
  readonly endpoint: Endpoint;
  /** The key's own endpoint is not eligible; this is the next one around the ring. */
  readonly detour: boolean;
}

export interface BalancerDeps {
  readonly stats: (e: Endpoint) => EndpointStats;
  /** Until when some endpoint may still be ejected; before that, no per-endpoint health check is needed. */
  readonly ejectionsUntil: () => number;
  readonly now: () => number;
  readonly random: () => number;
}

export class Balancer {
  private readonly cursors = new Map<string, number>();
  private readonly rings = new SessionRings();
  private readonly deps: BalancerDeps;

  constructor(deps: BalancerDeps) {
    this.deps = deps;
  }

  pick(upstream: Upstream, policy: LoadBalancing, tried?: ReadonlySet<string>): Endpoint | undefined {
    const candidates = this.eligible(upstream.endpoints, tried);
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

  /**
   * The endpoint for a request: the one its consistent-hash key leads to when it has one, else the
   * policy's pick. A key leads to the owner of its ring position, or while that one is ejected or
   * already tried, to the next eligible owner around the ring (as a balanced session's detour). With
   * subsets, the position picks a subset of the endpoints and the request one of its eligible
   * members at random (ingress-nginx's chashsubset).
   */
  choose(upstream: Upstream, policy: LoadBalancing, hash: RequestHash | undefined, tried?: ReadonlySet<string>): Endpoint | undefined {
    if (hash === undefined) return this.pick(upstream, policy, tried);
    const candidates = this.eligible(upstream.endpoints, tried);
    if (hash.subsetSize === undefined) return this.stickOnRing(upstream, hash.position, candidates)?.endpoint;
    return this.pickInSubset(upstream, hash.position, hash.subsetSize, candidates);
  }

  /**
   * The eligible endpoint a session key leads to, if any. A hash leads only to its own endpoint; a
   * ring position leads to its owner, or while the owner is not eligible, to the next eligible
   * owner around the ring (a detour: the same one on every replica, and the key still leads back).
   */
  stick(upstream: Upstream, key: SessionKey, tried?: ReadonlySet<string>): Stuck | undefined {
    const candidates = this.eligible(upstream.endpoints, tried);
    if (key.kind === 'position') return this.stickOnRing(upstream, key.position, candidates);
    const endpoint = candidates.find((e) => endpointHash(e) === key.hash);
    return endpoint === undefined ? undefined : { endpoint, detour: false };
  }

  /** The session cookie value leading to `endpoint` (one of `upstream`'s) in the route's mode. */
  sessionValue(upstream: Upstream, endpoint: Endpoint, mode: SessionPersistence['mode']): string {
    if (mode === 'persistent') return endpointHash(endpoint);
    const position = this.rings.ringFor(upstream).positionIn(upstream.endpoints.indexOf(endpoint), this.deps.random);
    return position === undefined ? endpointHash(endpoint) : formatPosition(position);
  }

  /** Forgets cursors and session rings of upstreams that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.cursors.keys()) if (!keys.has(key)) this.cursors.delete(key);
    this.rings.retain(keys);
  }

  private stickOnRing(upstream: Upstream, position: number, candidates: readonly Endpoint[]): Stuck | undefined {
    const { endpoints } = upstream;
    const ring = this.rings.ringFor(upstream);
    const own = ring.ownerAt(position);
    // Nothing ejected or tried (the common case): the candidates are the endpoints themselves.
    const eligible = candidates === endpoints ? undefined : new Set(candidates);
    const accept = (i: number): boolean => {
      const e = endpoints[i];
      return e !== undefined && (eligible === undefined || eligible.has(e));
    };
    const owner = own !== undefined && accept(own) ? own : ring.ownerFrom(position, accept);
    const endpoint = owner === undefined ? undefined : endpoints[owner];
    return endpoint === undefined ? undefined : { endpoint, detour: owner !== own };
  }

  private pickInSubset(upstream: Upstream, position: number, size: number, candidates: readonly Endpoint[]): Endpoint | undefined {
    const { endpoints } = upstream;
    const subsets = this.rings.subsetsFor(upstream, size);
    const eligible = candidates === endpoints ? undefined : new Set(candidates);
    const membersOf = (s: number): readonly Endpoint[] => {
      const members = (subsets.members[s] ?? []).map((i) => endpoints[i]).filter((e): e is Endpoint => e !== undefined);
      return eligible === undefined ? members : members.filter((e) => eligible.has(e));
    };
    const own = subsets.ring.ownerAt(position);
    const subset = own !== undefined && membersOf(own).length > 0 ? own : subsets.ring.ownerFrom(position, (s) => membersOf(s).length > 0);
    const members = subset === undefined ? [] : membersOf(subset);
    return members[Math.floor(this.deps.random() * members.length)];
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
