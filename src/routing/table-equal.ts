// Structural equality of two routing tables, so the reconciler publishes only on change.
// Hand-written because util.isDeepStrictEqual costs more than the build itself at 5,000 Ingresses.
import type { Endpoint, HostRoutes, Route, RoutingTable, Upstream } from './types.ts';

export function tablesEqual(a: RoutingTable, b: RoutingTable): boolean {
  return (
    mapsEqual(a.upstreams, b.upstreams, upstreamsEqual) &&
    mapsEqual(a.hosts, b.hosts, hostRoutesEqual) &&
    mapsEqual(a.wildcards, b.wildcards, hostRoutesEqual) &&
    optionalEqual(a.anyHost, b.anyHost, hostRoutesEqual) &&
    optionalEqual(a.defaultBackend, b.defaultBackend, routesEqual)
  );
}

function mapsEqual<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>, eq: (x: V, y: V) => boolean): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other === undefined || !eq(value, other)) return false;
  }
  return true;
}

function optionalEqual<V>(a: V | undefined, b: V | undefined, eq: (x: V, y: V) => boolean): boolean {
  return a === undefined || b === undefined ? a === b : eq(a, b);
}

function hostRoutesEqual(a: HostRoutes, b: HostRoutes): boolean {
  return mapsEqual(a.exact, b.exact, routesEqual) && mapsEqual(a.prefix, b.prefix, routesEqual);
}

/** Upstreams are compared by key here; their endpoints are compared once, in `upstreams`. */
function routesEqual(a: Route, b: Route): boolean {
  return (
    a.path === b.path && a.pathType === b.pathType && a.upstream.key === b.upstream.key &&
    a.ingress.namespace === b.ingress.namespace && a.ingress.name === b.ingress.name
  );
}

function upstreamsEqual(a: Upstream, b: Upstream): boolean {
  return a.key === b.key && a.endpoints.length === b.endpoints.length && a.endpoints.every((e, i) => endpointEqual(e, b.endpoints[i]));
}

function endpointEqual(a: Endpoint, b: Endpoint | undefined): boolean {
  return b !== undefined && a.host === b.host && a.port === b.port;
}
