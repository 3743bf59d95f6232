// What the Gateway merge remembers between builds (kept in the BuildCache): each host's merged
// HostRoutes, reused while its candidates are the same objects (route-cache.ts keeps them for
// unchanged routes) and the Ingress routes under it are the same object. A host that one route
// changed is merged again; the other thousands come back as the same objects, so the merge and
// tablesEqual cost what changed. Entries of hosts no build asks for any more are dropped.
import { SortedKeys } from '../sorted-keys.ts';
import type { Diagnostic, HostRoutes } from '../types.ts';
import type { GatewayCandidate } from './routes.ts';

export interface MergedHost {
  readonly candidates: readonly GatewayCandidate[];
  readonly base: HostRoutes | undefined;
  readonly merged: HostRoutes;
  readonly conflicts: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Merged hosts by table scope and host level ("scope\nlevel"), then by host key. */
type Hosts = Map<string, Map<string, MergedHost>>;

export class MergeMemo {
  private previous: Hosts = new Map();
  private current: Hosts = new Map();
  /** orderedKeys, by "scope\nlevel". */
  private readonly order = new Map<string, SortedKeys>();
  /** Hosts merged again and reused since the memo was made (for tests and the bench). */
  merged = 0;
  reused = 0;

  /** A build begins: what the last one kept is what this one may reuse. */
  begin(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  /** The host as last merged, if its candidates and base are the same objects. */
  lookup(scope: string, level: string, key: string, candidates: readonly GatewayCandidate[], base: HostRoutes | undefined): MergedHost | undefined {
    const kept = this.previous.get(`${scope}\n${level}`)?.get(key);
    if (kept === undefined || kept.base !== base || !sameObjects(kept.candidates, candidates)) return undefined;
    this.hostsOf(this.current, scope, level).set(key, kept);
    this.reused += 1;
    return kept;
  }

  keep(scope: string, level: string, key: string, host: MergedHost): void {
    this.hostsOf(this.current, scope, level).set(key, host);
    this.merged += 1;
  }

  /**
   * The keys of (scope, level) merged in this build, in key order. Kept between builds, so a build
   * sorts only the hosts that came or went, and the table's maps are made in one ordered pass.
   */
  orderedKeys(scope: string, level: string): readonly string[] {
    const id = `${scope}\n${level}`;
    const current = this.current.get(id);
    let keys = this.order.get(id);
    if (keys === undefined) this.order.set(id, (keys = new SortedKeys()));
    const held = keys;
    const gone = held.values().filter((key) => current?.has(key) !== true);
    for (const key of gone) held.remove(key);
    const added = current === undefined ? [] : [...current.keys()].filter((key) => !held.has(key));
    for (const key of added) held.insert(key);
    return held.values();
  }

  private hostsOf(hosts: Hosts, scope: string, level: string): Map<string, MergedHost> {
    const id = `${scope}\n${level}`;
    let found = hosts.get(id);
    if (found === undefined) hosts.set(id, (found = new Map<string, MergedHost>()));
    return found;
  }
}

function sameObjects<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
