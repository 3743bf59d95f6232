// What the Gateway merge remembers between builds (kept in the BuildCache): each host's merged
// HostRoutes, reused while its candidates are the same objects (route-cache.ts keeps them for
// unchanged routes) and the Ingress routes under it are the same object. A host that one route
// changed is merged again; the other thousands come back as the same objects, so the merge and
// tablesEqual cost what changed. Entries of hosts no build asks for any more are dropped.
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
