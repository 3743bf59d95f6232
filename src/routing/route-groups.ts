// Route groups (one per route key) and the host states they belong to: created when the first claim
// on a key arrives, dropped when the last one goes. A host state lives while it has groups; the
// table assembly removes an empty one (table.ts).
import type { Claim, Engine, HostLevel, HostState, RouteGroup } from './engine.ts';
import type { BuildState } from './state.ts';

export function addGroup(state: BuildState, claim: Claim): RouteGroup {
  const host = hostStateFor(state, claim.level, claim.host);
  const group: RouteGroup = { key: claim.routeKey, host, claims: [], winner: undefined, winnerSlot: undefined, route: undefined };
  state.engine.groups.set(group.key, group);
  host.groups.add(group);
  return group;
}

export function dropGroup(state: BuildState, group: RouteGroup): void {
  state.engine.groups.delete(group.key);
  group.host.groups.delete(group);
  group.route = undefined;
  state.touched.delete(group);
  state.dirtyHosts.add(group.host);
}

/** The key a host is listed under in its level's map: wildcards by the suffix after "*.". */
function levelKey(level: HostLevel, host: string): string {
  return level === 'wildcard' ? host.slice('*.'.length) : host;
}

/** The parent of an exact host, whose wildcard certificate also covers it ("a.b.c" → "b.c"). */
export function parentOf(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 ? host.slice(dot + 1) : undefined;
}

function hostStateFor(state: BuildState, level: HostLevel, host: string): HostState {
  const { engine } = state;
  const key = levelKey(level, host);
  const hosts = engine.levels[level];
  let found = hosts.get(key);
  if (found === undefined) {
    found = { level, key, host, groups: new Set(), hasCertificate: undefined, routes: [], hostRoutes: undefined };
    hosts.set(key, found);
    if (level === 'exact') addExactHost(engine, found);
    if (level === 'wildcard') engine.wildcardKeys.insert(key);
  }
  return found;
}

function addExactHost(engine: Engine, host: HostState): void {
  engine.hostKeys.insert(host.key);
  const parent = parentOf(host.key);
  if (parent === undefined) return;
  let siblings = engine.parents.get(parent);
  if (siblings === undefined) {
    siblings = new Set();
    engine.parents.set(parent, siblings);
  }
  siblings.add(host);
}

/** Forgets a host state without groups. */
export function removeHostState(engine: Engine, host: HostState): void {
  engine.levels[host.level].delete(host.key);
  if (host.level === 'wildcard') engine.wildcardKeys.remove(host.key);
  if (host.level !== 'exact') return;
  engine.hostKeys.remove(host.key);
  const parent = parentOf(host.key);
  const siblings = parent === undefined ? undefined : engine.parents.get(parent);
  siblings?.delete(host);
  if (parent !== undefined && siblings?.size === 0) engine.parents.delete(parent);
}
