// The session ring of each upstream with balanced sticky sessions, built on the first request that
// needs it and kept while the upstream's endpoints stay the same: a new table with the same
// endpoints (every table swap copies them) costs one comparison, not a rebuild.
import type { Endpoint, Upstream } from '../../routing/types.ts';
import { endpointKey } from './endpoint-stats.ts';
import { SessionRing } from './session-ring.ts';

interface Entry {
  endpoints: readonly Endpoint[];
  readonly ring: SessionRing;
}

const sameEndpoints = (a: readonly Endpoint[], b: readonly Endpoint[]): boolean =>
  a.length === b.length && a.every((e, i) => {
    const other = b[i];
    return other !== undefined && e.host === other.host && e.port === other.port;
  });

export class SessionRings {
  private readonly byUpstream = new Map<string, Entry>();

  /** The ring over `upstream.endpoints`: its owners are indices into that array. */
  ringFor(upstream: Upstream): SessionRing {
    const entry = this.byUpstream.get(upstream.key);
    if (entry !== undefined && (entry.endpoints === upstream.endpoints || sameEndpoints(entry.endpoints, upstream.endpoints))) {
      entry.endpoints = upstream.endpoints;
      return entry.ring;
    }
    const ring = new SessionRing(upstream.endpoints.map(endpointKey));
    this.byUpstream.set(upstream.key, { endpoints: upstream.endpoints, ring });
    return ring;
  }

  /** Forgets the rings of upstreams that are gone. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.byUpstream.keys()) if (!keys.has(key)) this.byUpstream.delete(key);
  }
}
