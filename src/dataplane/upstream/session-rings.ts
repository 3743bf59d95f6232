// The hash rings of each upstream, built on the first request that needs one and kept while the
// upstream's endpoints stay the same: a new table with the same endpoints (every table swap copies
// them) costs one comparison, not a rebuild. Balanced sticky sessions and consistent hashing use the
// ring of the endpoints; hashing to subsets (nginx upstream-hash-by-subset) a ring of the subsets.
import type { Endpoint, Upstream } from '../../routing/types.ts';
import { endpointKey } from './endpoint-stats.ts';
import { SessionRing } from './session-ring.ts';

/** The endpoints cut into subsets of one size, in the upstream's order, and a ring whose owners are the subsets. */
export interface Subsets {
  readonly ring: SessionRing;
  /** Each subset's endpoints, as indices into the upstream's endpoints. */
  readonly members: readonly (readonly number[])[];
}

interface Entry<T> {
  readonly upstreamKey: string;
  endpoints: readonly Endpoint[];
  readonly value: T;
}

const sameEndpoints = (a: readonly Endpoint[], b: readonly Endpoint[]): boolean =>
  a.length === b.length && a.every((e, i) => {
    const other = b[i];
    return other !== undefined && e.host === other.host && e.port === other.port;
  });

/**
 * ingress-nginx's cut: ceil(n / size) subsets of `size` in order; the last one filled up again from
 * the first endpoints, so every subset has `size` members (fewer only when n < size).
 */
export function cutSubsets(count: number, size: number): number[][] {
  const sets = Math.ceil(count / size);
  return Array.from({ length: sets }, (_, s) => Array.from({ length: Math.min(size, count) }, (_, i) => (s * size + i) % count));
}

export class SessionRings {
  private readonly rings = new Map<string, Entry<SessionRing>>();
  private readonly subsets = new Map<string, Entry<Subsets>>();

  /** The ring over `upstream.endpoints`: its owners are indices into that array. */
  ringFor(upstream: Upstream): SessionRing {
    return cached(this.rings, upstream.key, upstream, () => new SessionRing(upstream.endpoints.map(endpointKey)));
  }

  /** The upstream's endpoints in subsets of `size`, and the ring of the subsets. */
  subsetsFor(upstream: Upstream, size: number): Subsets {
    return cached(this.subsets, `${upstream.key} ${size}`, upstream, () => {
      const members = cutSubsets(upstream.endpoints.length, size);
      return { members, ring: new SessionRing(members.map((_, s) => `subset ${s + 1}`)) };
    });
  }

  /** Forgets the rings of upstreams that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const map of [this.rings, this.subsets]) {
      for (const [key, entry] of map) if (!keys.has(entry.upstreamKey)) map.delete(key);
    }
  }
}

function cached<T>(map: Map<string, Entry<T>>, key: string, upstream: Upstream, make: () => T): T {
  const entry = map.get(key);
  if (entry !== undefined && (entry.endpoints === upstream.endpoints || sameEndpoints(entry.endpoints, upstream.endpoints))) {
    entry.endpoints = upstream.endpoints;
    return entry.value;
  }
  const value = make();
  map.set(key, { upstreamKey: upstream.key, endpoints: upstream.endpoints, value });
  return value;
}
