// Route groups (one per level, host, pathType and path) and the host states they belong to: created
// when the first claim on them arrives, dropped when the last one goes. A host state lives while it
// has groups; the table assembly removes an empty one (table.ts).
import type { Claim, Engine, HostState, RouteGroup } from './engine.ts';
import type { BuildState } from './state.ts';
import { markDirty } from './state.ts';

/** A new group (and its host, when new too) for the first claim on its route. */
export function addGroup(state: BuildState, claim: Claim): RouteGroup {
  const host = hostStateFor(state, claim);
  const group: RouteGroup = {
    host, pathKey: claim.pathKey, claims: [claim], winner: undefined, winnerSlot: undefined, canary: undefined, canarySlot: undefined, fallbackSlot: undefined, route: undefined, reclaimedIn: 0, touchedIn: 0,
  };
  host.groups.set(claim.pathKey, group);
  return group;
}

export function findGroup(engine: Engine, claim: Claim): RouteGroup | undefined {
  return engine.levels[claim.level].get(claim.hostKey)?.groups.get(claim.pathKey);
}

export function dropGroup(state: BuildState, group: RouteGroup): void {
  if (group.host.groups.get(group.pathKey) === group) group.host.groups.delete(group.pathKey);
  group.route = undefined;
  markDirty(state, group.host);
}

/** The parent of an exact host, whose wildcard certificate also covers it ("a.b.c" → "b.c"). */
export function parentOf(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot > 0 ? host.slice(dot + 1) : undefined;
}

function hostStateFor(state: BuildState, claim: Claim): HostState {
  const { engine } = state;
  const { level, hostKey: key, host } = claim;
  const hosts = engine.levels[level];
  let found = hosts.get(key);
  if (found === undefined) {
    found = { level, key, host, groups: new Map(), hasCertificate: undefined, clientAuth: undefined, routes: [], hostRoutes: undefined, coverageIn: 0, dirtyIn: 0 };
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
