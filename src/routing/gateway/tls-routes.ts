// TLSRoutes → the TLS streams of each table (RoutingTable.tlsStreams): per server name a route to
// the backends, passed through (TLS listener mode Passthrough) or terminated here (Terminate). Two
// routes claiming one name on one table: the oldest wins (creationTimestamp, then namespace/name),
// as for HTTPRoutes. A name an HTTPS listener of the same table owns more specifically than a TLS
// listener's stays HTTPS ("https"), so a passthrough wildcard never takes its connections.
import type { TcpRouteObject, TlsRouteObject } from '../../snapshot/gateway-model.ts';
import type { ObjectRef } from '../../snapshot/model.ts';
import { compareStrings } from '../compare.ts';
import type { Route, RouteSplit, TlsStream, TlsStreams, Upstream } from '../types.ts';
import type { Attachment } from './attach.ts';
import { resolveBackends, type BackendProblem, type WeightedUpstream } from './backends.ts';
import { tableHost } from './hostnames.ts';
import type { ListenerState } from './listeners.ts';
import { optionsFor, withKey, type CompileContext } from './routes.ts';

/** One name a TLSRoute takes on one table. */
export interface StreamCandidate {
  /** The table (build-gateway.ts tableKeyOf). */
  readonly key: string;
  /** As the route is served under it: "a.example.com", "*.example.com" or "" (any). */
  readonly host: string;
  /** creationTimestamp, namespace, name: the oldest route wins a name. */
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
  const precedence = `${route.creationTimestamp}\n${route.namespace}\n${route.name}`;
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
export function tlsStreamsByTable(candidates: readonly StreamCandidate[], tables: ReadonlyMap<string, readonly ListenerState[]>): Map<string, TlsStreams> {
  const byKey = new Map<string, StreamCandidate[]>();
  for (const c of candidates) {
    const list = byKey.get(c.key);
    if (list === undefined) byKey.set(c.key, [c]);
    else list.push(c);
  }
  const out = new Map<string, TlsStreams>();
  for (const [key, listeners] of tables) {
    if (!listeners.some((l) => l.served && (l.stream === 'passthrough' || l.stream === 'terminate'))) continue;
    out.set(key, streamsOf(byKey.get(key) ?? [], listeners, key !== '' && !servesHttps(listeners)));
  }
  return out;
}

function streamsOf(candidates: StreamCandidate[], listeners: readonly ListenerState[], refuseOthers: boolean): TlsStreams {
  const hosts = new Map<string, TlsStream | 'https'>();
  const wildcards = new Map<string, TlsStream | 'https'>();
  const claim = (name: string, value: TlsStream | 'https'): void => {
    const { level, key } = tableHost(name);
    const map = level === 'exact' ? hosts : wildcards;
    if (!map.has(key)) map.set(key, value);
  };
  let anyHost: TlsStream | undefined;
  candidates.sort((a, b) => compareStrings(a.precedence, b.precedence) || compareStrings(a.host, b.host));
  for (const c of candidates) {
    if (c.host === '') anyHost ??= c.stream;
    else claim(c.host, c.stream);
  }
  for (const l of listeners) {
    const name = l.listener.hostname;
    if (l.served && l.stream === undefined && l.proto === 'https' && name !== undefined) claim(name, 'https');
  }
  return { hosts, wildcards, ...(anyHost === undefined ? {} : { anyHost }), refuseOthers };
}

/** Whether a served HTTPS listener shares the table (on an own address: port 443 with the TLS listeners). */
function servesHttps(listeners: readonly ListenerState[]): boolean {
  return listeners.some((l) => l.served && l.proto === 'https' && l.stream === undefined);
}
