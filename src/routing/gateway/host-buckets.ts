// A table's Gateway candidates gathered by host, for the merge (merge.ts). A route's candidates
// come grouped by host once, when its outcome is made (route-outcomes.ts); while one route is all
// a host has, the host's bucket is that route's own group — no array per host per build, and the
// merge memo sees the very same array while the route is unchanged.
import type { GatewayCandidate } from './routes.ts';

export type HostLevel = GatewayCandidate['host']['level'];

/** One route's candidates for one host, in the route's order. */
export interface HostGroup {
  readonly level: HostLevel;
  readonly key: string;
  readonly candidates: readonly GatewayCandidate[];
}

export interface Bucket {
  readonly level: HostLevel;
  readonly key: string;
  /** Every candidate of the host: routes in order, each route's candidates in its order. */
  readonly all: readonly GatewayCandidate[];
}

/** A route's candidates grouped by host, hosts in first-seen order. */
export function groupByHost(candidates: readonly GatewayCandidate[]): HostGroup[] {
  const groups: { level: HostLevel; key: string; candidates: GatewayCandidate[] }[] = [];
  for (const c of candidates) {
    const { level, key } = c.host;
    const group = groups.find((g) => g.level === level && g.key === key);
    if (group === undefined) groups.push({ level, key, candidates: [c] });
    else group.candidates.push(c);
  }
  return groups;
}

interface OpenBucket {
  readonly level: HostLevel;
  readonly key: string;
  all: readonly GatewayCandidate[];
  /** `all` is this bucket's own array (else it is a route's group, copied before adding to it). */
  owned: boolean;
}

export class HostBuckets {
  private readonly levels = new Map<HostLevel, Map<string, OpenBucket>>();
  private readonly order: OpenBucket[] = [];

  add(group: HostGroup): void {
    let byKey = this.levels.get(group.level);
    if (byKey === undefined) this.levels.set(group.level, (byKey = new Map<string, OpenBucket>()));
    const bucket = byKey.get(group.key);
    if (bucket === undefined) {
      const opened: OpenBucket = { level: group.level, key: group.key, all: group.candidates, owned: false };
      byKey.set(group.key, opened);
      this.order.push(opened);
      return;
    }
    const all = bucket.owned ? (bucket.all as GatewayCandidate[]) : [...bucket.all];
    for (const c of group.candidates) all.push(c);
    bucket.all = all;
    bucket.owned = true;
  }

  /** The hosts in first-seen order. */
  buckets(): readonly Bucket[] {
    return this.order;
  }

  get size(): number {
    return this.order.length;
  }
}
