// TLSRoutes → the TLS streams of each table (RoutingTable.tlsStreams): per server name a route to
// the backends, passed through (TLS listener mode Passthrough) or terminated here (Terminate). Two
// routes claiming one name on one table: the oldest wins (creationTimestamp, then namespace/name),
// as for HTTPRoutes. A name an HTTPS listener of the same table owns more specifically than a TLS
// listener's stays HTTPS ("https"), so a passthrough wildcard never takes its connections. On the
// shared addresses, every name an Ingress serves stays HTTPS whatever the ages (a TLSRoute would
// take the whole name, every path and certificate of the Ingress with it), and the route that
// wanted it is reported as a conflict.
import type { TcpRouteObject, TlsRouteObject } from '../../snapshot/gateway-model.ts';
import type { ObjectRef } from '../../snapshot/model.ts';
import { compareStrings } from '../compare.ts';
import type { Route, RouteSplit, RoutingTable, TlsStream, TlsStreams, Upstream } from '../types.ts';
import type { Attachment } from './attach.ts';
import { resolveBackends, type BackendProblem, type WeightedUpstream } from './backends.ts';
import { tableHost, under } from './hostnames.ts';
import type { ListenerState } from './listeners.ts';
import { optionsFor, routePrecedence, withKey, type CompileContext } from './routes.ts';

/** One name a TLSRoute takes on one table. */
export interface StreamCandidate {
  /** The table (build-gateway.ts tableKeyOf). */
  readonly key: string;
  /** As the route is served under it: "a.example.com", "*.example.com" or "" (any). */
  readonly host: string;
  /** routePrecedence: the oldest route wins a name. */
  readonly precedence: string;
  readonly stream: TlsStream;
}

export interface CompiledTlsRoute {
  readonly candidates: readonly StreamCandidate[];
  readonly backendProblems: readonly BackendProblem[];
}

/** A TLSRoute's streams on the served TLS listeners it attached to. */
export function compileTlsRoute(
  route: TlsRouteObject, attachments: readonly Attachment[], tableKey: (l: ListenerState) => string | undefined, ctx: CompileContext,
): CompiledTlsRoute {
  const { route: base, backendProblems } = compileStreamRoute(route, ctx);
  const precedence = routePrecedence(route);
  const candidates: StreamCandidate[] = [];
  for (const { listener, hostnames } of attachments) {
    const key = tableKey(listener);
    const mode = listener.stream;
    if (!listener.served || (mode !== 'passthrough' && mode !== 'terminate') || key === undefined) continue;
    const stream: TlsStream = { mode, route: base };
    for (const host of hostnames) candidates.push({ key, host, precedence, stream });
  }
  return { candidates, backendProblems };
}

/** A TLSRoute's or TCPRoute's backends as the route its connections take, and the references that failed. */
export function compileStreamRoute(route: TlsRouteObject | TcpRouteObject, ctx: CompileContext): { route: Route; backendProblems: readonly BackendProblem[] } {
  const resolved = resolveBackends(route, route.rules.flatMap((r) => r.backendRefs), ctx.api, ctx.snapshot);
  return { route: streamRoute({ namespace: route.namespace, name: route.name }, route.kind, resolved.backends, ctx), backendProblems: resolved.problems };
}

/** The route a stream's connections take: one backend, or a split by weight; none valid → no endpoints. */
function streamRoute(ref: ObjectRef, source: 'TLSRoute' | 'TCPRoute', backends: readonly WeightedUpstream[], ctx: CompileContext): Route {
  const variant = (b: WeightedUpstream | undefined): Route => {
    // An invalid reference's upstream has no endpoints (backends.ts): its share of connections is closed.
    const upstream = b?.upstream ?? { key: `invalid:${ref.namespace}/${ref.name}`, service: ref, endpoints: [] };
    return {
      ingress: ref, source, pathType: 'Prefix', path: '/', upstream, options: optionsFor(ctx, 'HTTP', undefined, undefined),
      ...(b === undefined || b.invalid ? { invalidBackend: true } : {}),
    };
  };
  if (backends.length <= 1) return withKey(variant(backends[0]));
  const routes = backends.map(variant);
  let total = 0;
  const split: RouteSplit = { routes, cumulative: backends.map((b) => (total += b.weight)) };
  return withKey({ ...(routes[0] as Route), split });
}

/** The valid upstreams the streams send to (an invalid backend has no pool). */
export function streamUpstreams(streams: TlsStreams): Upstream[] {
  const out = new Map<string, Upstream>();
  const values = [...streams.hosts.values(), ...streams.wildcards.values(), streams.anyHost];
  for (const stream of values) {
    if (stream === undefined || stream === 'https') continue;
    for (const u of routeUpstreams(stream.route)) out.set(u.key, u);
  }
  return [...out.values()];
}

/** The valid upstreams of a stream route (its split's, when it has one). */
export function routeUpstreams(route: Route): Upstream[] {
  return (route.split?.routes ?? [route]).filter((r) => r.invalidBackend !== true).map((r) => r.upstream);
}

/**
 * Each table's streams: the oldest route's per name; names of served HTTPS listeners stay HTTPS.
 * An own table whose served listeners on the port are all TLS refuses the names no stream takes,
 * routes attached or not; the shared table ("") never does (Ingress HTTPS is served there).
 */
export function tlsStreamsByTable(
  candidates: readonly StreamCandidate[], tables: ReadonlyMap<string, readonly ListenerState[]>, ingress: RoutingTable, conflicts: string[],
): Map<string, TlsStreams> {
  const byKey = new Map<string, StreamCandidate[]>();
  for (const c of candidates) {
    const list = byKey.get(c.key);
    if (list === undefined) byKey.set(c.key, [c]);
    else list.push(c);
  }
  const out = new Map<string, TlsStreams>();
  for (const [key, listeners] of tables) {
    if (!listeners.some((l) => l.served && (l.stream === 'passthrough' || l.stream === 'terminate'))) continue;
    const shared = key === '' ? ingress : undefined;
    out.set(key, streamsOf(byKey.get(key) ?? [], listeners, { refuseOthers: key !== '' && !servesHttps(listeners), ingress: shared, conflicts }));
  }
  return out;
}

interface TableFacts {
  /** No HTTPS listener shares the port (tlsStreams.refuseOthers). */
  readonly refuseOthers: boolean;
  /** The Ingress table, for the shared table only: its names stay HTTPS. */
  readonly ingress: RoutingTable | undefined;
  readonly conflicts: string[];
}

function streamsOf(candidates: StreamCandidate[], listeners: readonly ListenerState[], facts: TableFacts): TlsStreams {
  const claims = new NameClaims();
  const ingressNames = facts.ingress === undefined ? [] : ingressServedNames(facts.ingress);
  for (const name of ingressNames) claims.claim(name, 'https');
  const anyHost = placeRoutes(candidates, claims, facts, ingressNames);
  for (const l of listeners) {
    const name = l.listener.hostname;
    if (l.served && l.stream === undefined && l.proto === 'https' && name !== undefined) claims.claim(name, 'https');
  }
  return { hosts: claims.hosts, wildcards: claims.wildcards, ...(anyHost === undefined ? {} : { anyHost }), refuseOthers: facts.refuseOthers };
}

/** Names taken so far, the first claim winning: exact hosts, and wildcards by their suffix. */
class NameClaims {
  readonly hosts = new Map<string, TlsStream | 'https'>();
  readonly wildcards = new Map<string, TlsStream | 'https'>();

  claim(name: string, value: TlsStream | 'https'): void {
    const { level, key } = tableHost(name);
    const map = level === 'exact' ? this.hosts : this.wildcards;
    if (!map.has(key)) map.set(key, value);
  }

  heldByHttps(name: string): boolean {
    const { level, key } = tableHost(name);
    return (level === 'exact' ? this.hosts : this.wildcards).get(key) === 'https';
  }
}

/** The routes' names, oldest first, except those an Ingress keeps; returns the stream for any other name. */
function placeRoutes(candidates: StreamCandidate[], claims: NameClaims, facts: TableFacts, ingressNames: readonly string[]): TlsStream | undefined {
  const ingress = facts.ingress;
  const ingressTakesAny = ingress !== undefined && (ingress.anyHost !== undefined || ingress.defaultBackend !== undefined);
  const kept = (c: StreamCandidate, what: string): void => {
    facts.conflicts.push(`TLSRoute ${routeOf(c)}: ${what} is served by an Ingress on the shared addresses; the Ingress keeps it`);
  };
  let anyHost: TlsStream | undefined;
  candidates.sort((a, b) => compareStrings(a.precedence, b.precedence) || compareStrings(a.host, b.host));
  for (const c of candidates) {
    if (c.host === '' ? ingressTakesAny : ingress !== undefined && claims.heldByHttps(c.host)) {
      kept(c, c.host === '' ? 'every name' : c.host);
      continue;
    }
    // A wildcard route serves the names under it but those the Ingress keeps: say which.
    if (c.host.startsWith('*.')) for (const name of ingressNames.filter((n) => under(n, c.host.slice(2)))) kept(c, name);
    if (c.host === '') anyHost ??= c.stream;
    else claims.claim(c.host, c.stream);
  }
  return anyHost;
}

/** The names an Ingress serves on the shared addresses: its hosts (exact and "*.") and its certificates'. */
function ingressServedNames(table: RoutingTable): string[] {
  const wild = (suffix: string): string => `*.${suffix}`;
  return [
    ...table.hosts.keys(), ...[...table.wildcards.keys()].map(wild), ...table.tls.hosts.keys(), ...[...table.tls.wildcards.keys()].map(wild),
    ...table.hostAliases?.keys() ?? [], ...table.wwwRedirects?.keys() ?? [],
  ];
}

const routeOf = (c: StreamCandidate): string => `${c.stream.route.ingress.namespace}/${c.stream.route.ingress.name}`;

/** Whether a served HTTPS listener shares the table (on an own address: port 443 with the TLS listeners). */
function servesHttps(listeners: readonly ListenerState[]): boolean {
  return listeners.some((l) => l.served && l.proto === 'https' && l.stream === undefined);
}
