// Structural equality of two routing tables, so the reconciler publishes only on change.
// Hand-written because util.isDeepStrictEqual costs more than the build itself at 5,000 Ingresses.
// An incremental build (build.ts with a BuildCache) reuses every unchanged part of the previous
// table, so identity settles each comparison first and only the changed parts are walked.
import type { ObjectRef } from '../snapshot/model.ts';
import type { Canary, ClientValidationsByHost, Endpoint, ErrorBackend, HostRoutes, PortListener, RegexRoute, Route, RouteOptions, RoutingTable, TlsCertificate, TlsStream, TlsStreams, TlsTable, Upstream } from './types.ts';
import { sameClientValidation } from './client-validation.ts';

export function tablesEqual(a: RoutingTable, b: RoutingTable): boolean {
  return a === b || (
    mapsEqual(a.upstreams, b.upstreams, upstreamsEqual) &&
    mapsEqual(a.hosts, b.hosts, hostRoutesEqual) &&
    mapsEqual(a.wildcards, b.wildcards, hostRoutesEqual) &&
    setsEqual(a.deepWildcards, b.deepWildcards) &&
    optionalEqual(a.anyHost, b.anyHost, hostRoutesEqual) &&
    optionalEqual(a.defaultBackend, b.defaultBackend, routesEqual) &&
    tlsEqual(a.tls, b.tls) && hostMapsEqual(a, b) && ownTablesEqual(a, b) && optionalEqual(a.tlsStreams, b.tlsStreams, streamsEqual) &&
    optionalEqual(a.tcpRoute, b.tcpRoute, routesEqual)
  );
}

/** Gateway API TLSRoutes by server name. */
function streamsEqual(a: TlsStreams, b: TlsStreams): boolean {
  const same = (x: TlsStream | 'https' | undefined, y: TlsStream | 'https' | undefined): boolean =>
    x === y || (typeof x === 'object' && typeof y === 'object' && x.mode === y.mode && routesEqual(x.route, y.route));
  return a.refuseOthers === b.refuseOthers && same(a.anyHost, b.anyHost) && mapsEqual(a.hosts, b.hosts, same) && mapsEqual(a.wildcards, b.wildcards, same);
}

/** Gateways' own addresses: their tables and ports. */
function ownTablesEqual(a: RoutingTable, b: RoutingTable): boolean {
  return mapsEqual(a.byAddress ?? NO_TABLES, b.byAddress ?? NO_TABLES, tablesEqual) && portListenersEqual(a.portListeners ?? [], b.portListeners ?? []);
}

function portListenersEqual(a: readonly PortListener[], b: readonly PortListener[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i];
    return y !== undefined && x.address === y.address && x.port === y.port && x.proto === y.proto;
  });
}

const NO_TABLES: ReadonlyMap<string, RoutingTable> = new Map();

/** nginx from-to-www-redirect and server-alias: host → host. */
function hostMapsEqual(a: RoutingTable, b: RoutingTable): boolean {
  const same = (x: string, y: string): boolean => x === y;
  return mapsEqual(a.wwwRedirects ?? NO_REDIRECTS, b.wwwRedirects ?? NO_REDIRECTS, same) &&
    mapsEqual(a.hostAliases ?? NO_REDIRECTS, b.hostAliases ?? NO_REDIRECTS, same);
}

const NO_REDIRECTS: ReadonlyMap<string, string> = new Map();

function setsEqual(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (a === b) return true;
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const key of a ?? []) if (b?.has(key) !== true) return false;
  return true;
}

function mapsEqual<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>, eq: (x: V, y: V) => boolean): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other === undefined || (value !== other && !eq(value, other))) return false;
  }
  return true;
}

function optionalEqual<V>(a: V | undefined, b: V | undefined, eq: (x: V, y: V) => boolean): boolean {
  if (a === b) return true;
  return a === undefined || b === undefined ? false : eq(a, b);
}

/** A regex list follows from the prefix routes and their paths; only whether there is one can differ. */
function hostRoutesEqual(a: HostRoutes, b: HostRoutes): boolean {
  return mapsEqual(a.exact, b.exact, routesEqual) && mapsEqual(a.prefix, b.prefix, routesEqual) &&
    regexListsEqual(a.regex, b.regex) && patternsEqual(a.patterns, b.patterns);
}

/** Gateway API RegularExpression paths: the same expressions, in order, with equal routes. */
function patternsEqual(a: readonly RegexRoute[] | undefined, b: readonly RegexRoute[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return y !== undefined && x.pattern.source === y.pattern.source && routesEqual(x.route, y.route);
  });
}

function regexListsEqual(a: readonly RegexRoute[] | undefined, b: readonly RegexRoute[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return y !== undefined && x.pattern.source === y.pattern.source && x.route.path === y.route.path;
  });
}

/** Upstreams are compared by key here; their endpoints are compared once, in `upstreams`. */
function routesEqual(a: Route, b: Route): boolean {
  return a === b || (
    a.path === b.path && a.pathType === b.pathType && a.upstream.key === b.upstream.key &&
    refsEqual(a.ingress, b.ingress) && optionsEqual(a.options, b.options) && a.middlewares?.key === b.middlewares?.key &&
    canariesEqual(a.canary, b.canary) && errorBackendsEqual(a.errorBackend, b.errorBackend) && a.gatewayKey === b.gatewayKey
  );
}

function errorBackendsEqual(a: ErrorBackend | undefined, b: ErrorBackend | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.upstream.key === b.upstream.key && a.codes.join() === b.codes.join() && JSON.stringify(a.headers) === JSON.stringify(b.headers);
}

function canariesEqual(a: Canary | undefined, b: Canary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.upstream.key === b.upstream.key && refsEqual(a.ingress, b.ingress) && JSON.stringify(a.rule) === JSON.stringify(b.rule);
}

/** Routes alike share one options object within a table, so identity settles most calls. */
function optionsEqual(a: RouteOptions, b: RouteOptions): boolean {
  return a === b || (
    a.sslRedirect === b.sslRedirect && a.loadBalancing === b.loadBalancing && a.backendProtocol === b.backendProtocol &&
    a.readTimeoutMs === b.readTimeoutMs && a.maxBodyBytes === b.maxBodyBytes && a.tunnelIdleTimeoutMs === b.tunnelIdleTimeoutMs &&
    upstreamOptionsEqual(a, b)
  );
}

function upstreamOptionsEqual(a: RouteOptions, b: RouteOptions): boolean {
  return a.connectTimeoutMs === b.connectTimeoutMs && a.retries === b.retries && a.retryTimeoutMs === b.retryTimeoutMs &&
    a.sslPassthrough === b.sslPassthrough && a.upstreamTls?.key === b.upstreamTls?.key && a.accessLog === b.accessLog &&
    a.tracing?.key === b.tracing?.key && a.hsts === b.hsts;
}

function upstreamsEqual(a: Upstream, b: Upstream): boolean {
  return a === b || (
    a.key === b.key && a.appProtocol === b.appProtocol &&
    a.endpoints.length === b.endpoints.length && a.endpoints.every((e, i) => endpointEqual(e, b.endpoints[i]))
  );
}

function endpointEqual(a: Endpoint, b: Endpoint | undefined): boolean {
  return b !== undefined && a.host === b.host && a.port === b.port;
}

/** One certificate often serves many hosts: each pair found equal is remembered, so its PEM is compared once. */
function tlsEqual(a: TlsTable, b: TlsTable): boolean {
  if (!optionalEqual(a.clientValidations, b.clientValidations, validationsEqual)) return false;
  if (a === b || (a.hosts === b.hosts && a.wildcards === b.wildcards && a.anyHost === b.anyHost)) return true;
  const equalPairs = new Map<TlsCertificate, TlsCertificate>();
  const eq = (x: TlsCertificate, y: TlsCertificate): boolean => {
    if (x === y || equalPairs.get(x) === y) return true;
    const equal = certificatesEqual(x, y);
    if (equal) equalPairs.set(x, y);
    return equal;
  };
  return mapsEqual(a.hosts, b.hosts, eq) && mapsEqual(a.wildcards, b.wildcards, eq) && optionalEqual(a.anyHost, b.anyHost, eq);
}

function validationsEqual(a: ClientValidationsByHost, b: ClientValidationsByHost): boolean {
  return mapsEqual(a.hosts, b.hosts, sameClientValidation) && mapsEqual(a.wildcards, b.wildcards, sameClientValidation);
}

function certificatesEqual(x: TlsCertificate, y: TlsCertificate): boolean {
  return refsEqual(x.secret, y.secret) && x.certPem === y.certPem && x.keyPem === y.keyPem &&
    x.ciphers === y.ciphers && x.preferServerCiphers === y.preferServerCiphers && x.gatewayListener === y.gatewayListener &&
    sameClientValidation(x.clientValidation, y.clientValidation);
}

function refsEqual(a: ObjectRef, b: ObjectRef): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}
