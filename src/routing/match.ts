// matchRoute: which route answers a request. Everything is pre-compiled into maps by build.ts, so a
// lookup is a few map reads and never a scan over routes.
//
// Host precedence (a deliberate choice): the most specific host level that has ANY route owns the
// request, with no fall-through between levels.
//   1. the exact host, when the table has routes for it;
//   2. else the wildcard "*.<rest>" when the host's first label is dropped ("a.example.com" →
//      "example.com"; a wildcard covers exactly one label);
//   3. else the rules without a host (anyHost).
// If the owning level has no route for the path, the request goes to spec.defaultBackend, and when
// there is none matchRoute returns undefined (the data plane answers 404). So a path served only
// under "*.example.com" is NOT reachable as "shop.example.com" once "shop.example.com" has rules.
//
// Paths, within the owning level: an Exact route for the path wins; else the longest Prefix route
// by whole path elements ("/foo" matches "/foo", "/foo/" and "/foo/bar", not "/foobar"). On a host
// with regex paths (nginx use-regex, regex-routes.ts), the first of its patterns that matches instead.
//
// Gateway API routes add conditions (headers, query, method, listener protocol; conditions.ts):
// at one path a chain of routes in precedence order, the first the request meets wins, and when
// none does the search goes on to shorter paths. Their RegularExpression paths are tried after
// Exact and before Prefix.
import type { HostRoutes, RegexRoute, Route, RoutingTable, TlsCertificate, TlsStream, TlsStreams, TlsTable } from './types.ts';
import { pickRoute, type RequestFacts } from './conditions.ts';

export { normalizeHost } from './host-header.ts';
export type { RequestFacts } from './conditions.ts';

/**
 * @param host as returned by normalizeHost; "" when the request has no usable host (then only
 *   rules without a host and the default backend can match).
 * @param path the request path without the query string, normalised by the data plane.
 */
export function matchRoute(table: RoutingTable, host: string, path: string, request?: RequestFacts): Route | undefined {
  const routes = lookupHostRoutes(table, host);
  return (routes === undefined ? undefined : lookupPath(routes, path, request)) ?? table.defaultBackend;
}

/** The side of a connection that says which address and port it arrived on. */
export interface LocalEnd {
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

/** The RoutingTable.byAddress key of a Gateway listener's table on a port of its own. */
export const portTableKey = (address: string, port: number): string => `[${address}]:${String(port)}`;

/**
 * The table for a connection: a Gateway's own (RoutingTable.byAddress, --gateway-addresses) when
 * it arrived on that address — for a port of its own (RoutingTable.portListeners), the one of that
 * port — else the table itself. The address is read only when the table has own addresses, so a
 * request pays one property check otherwise. IPv4-mapped IPv6 counts as IPv4.
 */
export function tableForConnection(table: RoutingTable, connection: LocalEnd | null | undefined): RoutingTable {
  const own = table.byAddress;
  if (own === undefined || own.size === 0) return table;
  return ownTable(own, table.portListeners, connection) ?? table;
}

/** The own table (byAddress) of the address and port a connection arrived on, if any. */
export function ownTable<T>(own: ReadonlyMap<string, T>, ports: readonly unknown[] | undefined, connection: LocalEnd | null | undefined): T | undefined {
  const local = connection?.localAddress;
  if (local === undefined) return undefined;
  const address = plainAddress(local);
  const port = ports === undefined || ports.length === 0 ? undefined : connection?.localPort;
  return (port === undefined ? undefined : own.get(portTableKey(address, port))) ?? own.get(address);
}

export const plainAddress = (address: string): string => (address.startsWith('::ffff:') ? address.slice(7) : address);

/**
 * The TLSRoute stream a TLS connection takes by its server name (RoutingTable.tlsStreams): exact,
 * then wildcards over ever shorter suffixes, then the listener without a hostname. "refused": the
 * table serves TLS routes only and none takes the name; undefined: the connection is HTTPS.
 */
export function lookupTlsStream(table: RoutingTable, servername: string | undefined): TlsStream | 'refused' | undefined {
  const streams = table.tlsStreams;
  if (streams === undefined) return undefined;
  const found = servername === undefined ? undefined : streamOfName(streams, servername);
  if (found === 'https') return undefined;
  return found ?? streams.anyHost ?? (streams.refuseOthers ? 'refused' : undefined);
}

function streamOfName(streams: TlsStreams, name: string): TlsStream | 'https' | undefined {
  const exact = streams.hosts.get(name);
  if (exact !== undefined || streams.wildcards.size === 0) return exact;
  for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
    const found = streams.wildcards.get(name.slice(dot + 1));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** nginx from-to-www-redirect: where a host without routes of its own redirects to, if anywhere. */
export function lookupWwwRedirect(table: RoutingTable, host: string): string | undefined {
  const redirects = table.wwwRedirects;
  if (redirects === undefined || redirects.size === 0 || table.hosts.has(host) || table.hostAliases?.has(host) === true) return undefined;
  return redirects.get(host);
}

/**
 * The routes of the most specific host level that has any: exact (or, for an nginx server-alias,
 * its host's), then the wildcard over the name's parent, then deep (Gateway API) wildcards over
 * ever shorter suffixes, then any host.
 */
export function lookupHostRoutes(table: RoutingTable, host: string): HostRoutes | undefined {
  const exact = table.hosts.get(host);
  if (exact !== undefined) return exact;
  const aliased = table.hostAliases === undefined || table.hostAliases.size === 0 ? undefined : table.hostAliases.get(host);
  const viaAlias = aliased === undefined ? undefined : table.hosts.get(aliased);
  if (viaAlias !== undefined) return viaAlias;
  let dot = host.indexOf('.');
  if (dot <= 0) return table.anyHost;
  const wildcard = table.wildcards.get(host.slice(dot + 1));
  if (wildcard !== undefined) return wildcard;
  const deep = table.deepWildcards;
  if (deep !== undefined && deep.size > 0) {
    for (dot = host.indexOf('.', dot + 1); dot > 0; dot = host.indexOf('.', dot + 1)) {
      const suffix = host.slice(dot + 1);
      if (deep.has(suffix)) return table.wildcards.get(suffix);
    }
  }
  return table.anyHost;
}

/**
 * Exact first (it is never shorter than a Prefix match, and wins a tie). Then Prefix keys at each
 * element boundary, longest first: "/a/b" tries "/a/b", "/a", "/"; "/a/b/" tries "/a/b/" (never a
 * key: Prefix keys carry no trailing slash), then the same. Each try is one map read.
 */
export function lookupPath(routes: HostRoutes, path: string, request?: RequestFacts): Route | undefined {
  const exact = pickRoute(routes.exact.get(path), request);
  if (exact !== undefined || !path.startsWith('/')) return exact;
  if (routes.patterns !== undefined) {
    const found = lookupPatterns(routes.patterns, path, request);
    if (found !== undefined) return found;
  }
  if (routes.regex !== undefined) return lookupRegex(routes.regex, path);
  let prefix = path;
  for (;;) {
    const route = pickRoute(routes.prefix.get(prefix), request);
    if (route !== undefined || prefix === '/') return route;
    const slash = prefix.lastIndexOf('/');
    prefix = slash === 0 ? '/' : prefix.slice(0, slash);
  }
}

/** Gateway API RegularExpression paths, in table order: the first that matches and whose conditions hold. */
function lookupPatterns(patterns: readonly RegexRoute[], path: string, request: RequestFacts | undefined): Route | undefined {
  for (let i = 0; i < patterns.length; i++) {
    const entry = patterns[i] as RegexRoute;
    if (!entry.pattern.test(path)) continue;
    const route = pickRoute(entry.route, request);
    if (route !== undefined) return route;
  }
  return undefined;
}

/** A host in regex mode (nginx use-regex): the first pattern that matches, longest path first. */
function lookupRegex(regex: readonly RegexRoute[], path: string): Route | undefined {
  for (let i = 0; i < regex.length; i++) {
    const entry = regex[i] as RegexRoute;
    if (entry.pattern.test(path)) return entry.route;
  }
  return undefined;
}

/**
 * The certificate for a (normalised) server name: the exact host, else the wildcard for its parent
 * ("shop.example.com" → "*.example.com"; one label only), else undefined (the default certificate).
 */
export function lookupCertificate(tls: TlsTable, host: string): TlsCertificate | undefined {
  return lookupServerName(tls.hosts, tls.wildcards, host);
}

/** SNI's rule for any per-name value: the exact name, else the wildcard keyed by its parent. */
export function lookupServerName<V>(exact: ReadonlyMap<string, V>, wildcards: ReadonlyMap<string, V>, name: string): V | undefined {
  const found = exact.get(name);
  if (found !== undefined) return found;
  const dot = name.indexOf('.');
  return dot > 0 ? wildcards.get(name.slice(dot + 1)) : undefined;
}
