// Assembles the readonly RoutingTable from the winning routes and the TLS table: one HostRoutes per
// host level, maps filled in sorted order (so iteration order is part of the deterministic output),
// and every referenced upstream by key.
import type { TableRoute } from './state.ts';
import type { HostRoutes, Route, RoutingTable, TlsTable, Upstream } from './types.ts';
import { compareStrings } from './compare.ts';

interface MutableHostRoutes extends HostRoutes {
  readonly exact: Map<string, Route>;
  readonly prefix: Map<string, Route>;
}

export function assembleTable(winners: readonly TableRoute[], tls: TlsTable): RoutingTable {
  const hosts = new Map<string, MutableHostRoutes>();
  const wildcards = new Map<string, MutableHostRoutes>();
  let anyHost: MutableHostRoutes | undefined;
  let defaultBackend: Route | undefined;
  for (const winner of [...winners].sort(compareForTable)) {
    const route = toRoute(winner);
    if (winner.level === 'default') {
      defaultBackend = route;
      continue;
    }
    let routes: MutableHostRoutes;
    if (winner.level === 'any') routes = anyHost ??= newHostRoutes();
    else if (winner.level === 'wildcard') routes = getOrAdd(wildcards, winner.host.slice('*.'.length));
    else routes = getOrAdd(hosts, winner.host);
    (route.pathType === 'Exact' ? routes.exact : routes.prefix).set(route.path, route);
  }
  return { hosts, wildcards, anyHost, defaultBackend, upstreams: collectUpstreams(winners), tls };
}

function toRoute(winner: TableRoute): Route {
  const { ingress: { namespace, name }, pathType, path, upstream, options } = winner;
  return { ingress: { namespace, name }, pathType, path, upstream, options };
}

function compareForTable(a: TableRoute, b: TableRoute): number {
  return compareStrings(a.host, b.host) || compareStrings(a.pathType, b.pathType) || compareStrings(a.path, b.path);
}

function newHostRoutes(): MutableHostRoutes {
  return { exact: new Map(), prefix: new Map() };
}

function getOrAdd(map: Map<string, MutableHostRoutes>, key: string): MutableHostRoutes {
  let routes = map.get(key);
  if (routes === undefined) {
    routes = newHostRoutes();
    map.set(key, routes);
  }
  return routes;
}

function collectUpstreams(winners: readonly TableRoute[]): Map<string, Upstream> {
  const byKey = new Map(winners.map((w) => [w.upstream.key, w.upstream] as const));
  return new Map([...byKey].sort(([a], [b]) => compareStrings(a, b)));
}
