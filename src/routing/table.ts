// Assembles the readonly RoutingTable from the route groups' Routes and the TLS table: one
// HostRoutes per host level, maps filled in sorted order (so iteration order is part of the
// deterministic output), and every referenced upstream by key. Only the hosts whose routes changed
// are assembled again; every unchanged part is the previous table's object, and when nothing
// changed the previous table itself is returned.
import type { BuildState } from './state.ts';
import type { Engine, HostState } from './engine.ts';
import type { HostRoutes, Route, RoutingTable, Upstream } from './types.ts';
import { compareStrings } from './compare.ts';
import { insertSorted, nextMap } from './sorted-keys.ts';
import { removeHostState } from './route-groups.ts';
import { regexRoutes } from './regex-routes.ts';

interface TableChanges {
  readonly hosts: Set<string>;
  readonly wildcards: Set<string>;
  anyHost: HostRoutes | undefined;
  defaultBackend: Route | undefined;
}

export function assembleTable(state: BuildState): RoutingTable {
  const { engine } = state;
  const previous = engine.table;
  const changes: TableChanges = {
    hosts: new Set(), wildcards: new Set(), anyHost: previous.anyHost, defaultBackend: previous.defaultBackend,
  };
  const { dirtyHosts } = state;
  for (let i = 0; i < dirtyHosts.length; i++) {
    const host = dirtyHosts[i] as HostState;
    if (settleHost(engine, host)) recordHost(host, changes);
  }
  const next: RoutingTable = {
    hosts: nextMap(previous.hosts, engine.hostKeys, changes.hosts, (key) => hostRoutesOf(engine.levels.exact.get(key))),
    wildcards: nextMap(previous.wildcards, engine.wildcardKeys, changes.wildcards, (key) => hostRoutesOf(engine.levels.wildcard.get(key))),
    anyHost: changes.anyHost,
    defaultBackend: changes.defaultBackend,
    upstreams: nextMap(previous.upstreams, engine.winnerKeys, state.upstreamChanges, (key) => upstreamOf(engine, key)),
    tls: state.tls,
    wwwRedirects: engine.wwwRedirects,
    hostAliases: engine.hostAliases,
  };
  return sameParts(previous, next) ? previous : next;
}

/** Assembles a host's routes again; true when its value in the table changed. */
function settleHost(engine: Engine, host: HostState): boolean {
  if (host.groups.size === 0) {
    if (engine.levels[host.level].get(host.key) === host) removeHostState(engine, host);
    const had = host.hostRoutes !== undefined;
    host.routes = [];
    host.hostRoutes = undefined;
    return had;
  }
  const routes: Route[] = [];
  const patterns = new Map<Route, RegExp>();
  for (const group of host.groups.values()) {
    if (group.route === undefined) continue;
    insertSorted(routes, group.route, compareForTable);
    if (group.winner?.pattern !== undefined) patterns.set(group.route, group.winner.pattern);
  }
  // A host claimed only by nginx canaries has groups but no route: it is listed with none (404).
  if (host.hostRoutes !== undefined && routes.length === host.routes.length && routes.every((route, i) => route === host.routes[i])) return false;
  host.routes = routes.slice();
  host.hostRoutes = toHostRoutes(routes, patterns);
  return true;
}

function recordHost(host: HostState, changes: TableChanges): void {
  if (host.level === 'exact') changes.hosts.add(host.key);
  else if (host.level === 'wildcard') changes.wildcards.add(host.key);
  else if (host.level === 'any') changes.anyHost = host.hostRoutes;
  else changes.defaultBackend = host.routes[0];
}

function compareForTable(a: Route, b: Route): number {
  return compareStrings(a.pathType, b.pathType) || compareStrings(a.path, b.path);
}

/** With a regex path among them, every Prefix route is matched as a regex too (regexRoutes). */
function toHostRoutes(routes: readonly Route[], patterns: ReadonlyMap<Route, RegExp>): HostRoutes {
  const exact = new Map<string, Route>();
  const prefix = new Map<string, Route>();
  for (const route of routes) (route.pathType === 'Exact' ? exact : prefix).set(route.path, route);
  return patterns.size === 0 ? { exact, prefix } : { exact, prefix, regex: regexRoutes(prefix, patterns) };
}

function hostRoutesOf(host: HostState | undefined): HostRoutes {
  if (host?.hostRoutes === undefined) throw new Error(`internal: host ${host?.host ?? '?'} is listed without routes`);
  return host.hostRoutes;
}

function upstreamOf(engine: Engine, key: string): Upstream {
  const upstream = engine.upstreams.get(key)?.resolution?.upstream;
  if (upstream === undefined) throw new Error(`internal: upstream ${key} is listed without a resolution`);
  return upstream;
}

function sameParts(a: RoutingTable, b: RoutingTable): boolean {
  return a.hosts === b.hosts && a.wildcards === b.wildcards && a.anyHost === b.anyHost &&
    a.defaultBackend === b.defaultBackend && a.upstreams === b.upstreams && a.tls === b.tls && a.wwwRedirects === b.wwwRedirects &&
    a.hostAliases === b.hostAliases;
}
