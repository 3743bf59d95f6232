// The Gateway API build: GatewayClasses of ours → their Gateways' listeners → the routes attached
// to them → candidates merged into the table the Ingress build assembled (merge.ts), with the
// status of every object computed alongside (report.ts). Pure, like the Ingress build.
import type { ClusterSnapshot, SecretObject } from '../../snapshot/model.ts';
import type { GatewayApiSnapshot, GatewayObject, RequestRouteObject, RouteObject, TcpRouteObject, TlsRouteObject } from '../../snapshot/gateway-model.ts';
import { refKey } from '../../snapshot/model.ts';
import { compareStrings } from '../compare.ts';
import type { MiddlewareChain } from '../middleware.ts';
import { portTableKey } from '../match.ts';
import type { Diagnostic, HostRoutes, PortListener, Route, RouteDefaults, RouteOptions, RoutingTable, TlsCertificate, Upstream, UpstreamTls } from '../types.ts';
import type { TlsSecretResult } from '../tls-secret.ts';
import { askedFor, assignAddresses, type AddressAssignment } from './addresses.ts';
import { gatewayResolvedRefs, resolveBackendClientCertificate, type BackendClientCertificate } from './backend-client-certificate.ts';
import { BackendTlsPolicies } from './backend-tls-policies.ts';
import type { BackendTlsContext } from './backend-tls.ts';
import { attachRoute, routeParents, type Attachment, type ParentResult, type RouteParents } from './attach.ts';
import { allowsInsecureFallback } from './frontend-validation.ts';
import { invalidParameters, invalidParametersCondition } from './infrastructure.ts';
import { attachedListenerSets, listenerSetReports } from './listener-sets.ts';
import { compileGateways, ourClasses, type GatewayState, type ListenerState } from './listeners.ts';
import { groupByHost, HostBuckets } from './host-buckets.ts';
import { mergeGatewayRoutes } from './merge.ts';
import type { GatewayRouteCache } from './route-cache.ts';
import type { MergeMemo } from './merge-memo.ts';
import { attachEnvironment, listenerKey, type AttachedOutcome, type RouteOutcome, type RouteOutcomes } from './route-outcomes.ts';
import { compileRoute, type CompileContext, type CompiledRoute, type GatewayCandidate } from './routes.ts';
import { compileTcpRoute, tcpRoutesByTable, type TcpCandidate } from './tcp-routes.ts';
import { compileTlsRoute, routeUpstreams, streamUpstreams, tlsStreamsByTable, type StreamCandidate } from './tls-routes.ts';
import { condition, type ConditionSpec, type GatewayApiReport, type GatewayReport, type RouteReport } from './report.ts';

export interface GatewayBuild {
  readonly table: RoutingTable;
  readonly report: GatewayApiReport;
  readonly diagnostics: readonly Diagnostic[];
}

export interface GatewayBuildInput {
  readonly snapshot: ClusterSnapshot;
  readonly api: GatewayApiSnapshot;
  readonly controllerName: string;
  readonly defaults: RouteDefaults;
  readonly secretReadings: WeakMap<SecretObject, TlsSecretResult>;
  /** --gateway-addresses (addresses.ts); empty: every Gateway shares the published addresses. */
  readonly gatewayAddresses: readonly string[];
  /** BuildOptions.givenAddresses. */
  readonly givenAddresses?: ReadonlyMap<string, string>;
  /** Bollard's own ports, which no Gateway listener on a port of its own may take. */
  readonly reservedPorts?: readonly number[];
  /** Compiled routes of earlier builds (BuildCache), and the key of the defaults they were compiled with. */
  readonly routeCache?: GatewayRouteCache<CompiledByTable>;
  /** Hosts merged in earlier builds (BuildCache). */
  readonly mergeMemo?: MergeMemo;
  /** Routes' attachments and reports of earlier builds (BuildCache). */
  readonly routeOutcomes?: RouteOutcomes;
  readonly contextKey?: string;
}

export function buildGatewayApi(input: GatewayBuildInput, ingressTable: RoutingTable): GatewayBuild {
  const { api, snapshot } = input;
  const classes = ourClasses(api, input.controllerName);
  const pool = input.gatewayAddresses;
  const gateways = compileGateways(api, classes.names, snapshot, input.secretReadings, { own: pool.length > 0, reserved: new Set(input.reservedPorts ?? []) });
  const parents = routeParents(gateways);
  const addresses = ownAddresses(gateways, pool, input.givenAddresses);
  const clientCertificates = new Map(gateways.map((g) => [g.gateway, resolveBackendClientCertificate(g.gateway, api, snapshot, input.secretReadings)]));
  const policies = new BackendTlsPolicies(api);
  const backendTls = { policies, clientCertificates, interned: new Map<string, UpstreamTls>() };
  const ctx = { api, snapshot, defaults: input.defaults, options: new Map<string, RouteOptions>(), chains: new Map<string, MiddlewareChain>(), backendTls };
  const inputs = cacheInputs(api, clientCertificates);
  const candidates = new Map<string, HostBuckets>();
  const routes: RouteReport[] = [];
  const tableKey = (l: ListenerState) => tableKeyOf(l, addresses, pool.length > 0);
  const attaching: Attaching = {
    parents, ctx, input, inputs, tableKey, listeners: new Map(gateways.flatMap((g) => g.listeners.map((l) => [listenerKey(l), l] as const))),
    environment: input.routeOutcomes === undefined ? undefined : attachEnvironment(gateways, tableKey),
  };
  const streams: StreamCandidates = { tls: [], tcp: [] };
  for (const route of api.routes) {
    if (route.kind === 'TLSRoute' || route.kind === 'TCPRoute') {
      const report = attachStreamRoute(route, attaching, streams);
      if (report !== undefined) routes.push(report);
      continue;
    }
    const outcome = reusedOutcome(route, attaching) ?? freshOutcome(route, attaching);
    if (outcome === 'unattached') continue;
    gather(outcome, attaching.listeners, candidates);
    routes.push(outcome.report);
  }
  input.mergeMemo?.begin();
  const byTable = mergeByTable(ingressTable, gateways, addresses, pool.length > 0, candidates, ingressPrecedenceOf(snapshot), input.mergeMemo);
  const streamConflicts: string[] = [];
  const { merged, own } = withStreams(byTable, streams, ingressTable, streamConflicts);
  return {
    table: own.length === 0 ? merged.table : withOwnAddresses(merged.table, own),
    report: {
      classes: classes.reports, routes, backendTlsPolicies: policies.reports(),
      gateways: gateways.map((g) => gatewayReport(g, addresses.get(g.gateway), pool.length > 0, clientCertificates.get(g.gateway))),
      listenerSets: listenerSetReports(gateways),
      conflicts: [...merged.conflicts, ...own.flatMap((o) => o.merged.conflicts.map((c) => `${c} (on ${o.key})`)), ...streamConflicts],
    },
    diagnostics: [...merged.diagnostics, ...own.flatMap((o) => o.merged.diagnostics)],
  };
}

/**
 * Each Gateway's own address (addresses.ts). Without a pool only the Gateways whose spec.addresses
 * cannot be honoured are in the map (they share the published addresses otherwise).
 */
function ownAddresses(gateways: readonly GatewayState[], pool: readonly string[], given?: ReadonlyMap<string, string>): Map<GatewayObject, AddressAssignment> {
  if (pool.length > 0) return assignAddresses(gateways.map((g) => g.gateway), pool, given);
  const out = new Map<GatewayObject, AddressAssignment>();
  for (const { gateway } of gateways) {
    const asked = askedFor(gateway, new Set(), new Set());
    if (asked !== undefined) out.set(gateway, asked.address === undefined ? asked : { reason: 'AddressNotUsable', message: 'without --gateway-addresses Gateways share Bollard\'s published addresses' });
  }
  return out;
}

/**
 * The table a listener's routes go to: "" for the shared one, its Gateway's own address for ports
 * 80 and 443, and the address with the port for a port of its own; undefined when its Gateway
 * has no usable address (it serves nothing).
 */
function tableKeyOf(listener: ListenerState, addresses: ReadonlyMap<GatewayObject, AddressAssignment>, pooled: boolean): string | undefined {
  const assigned = addresses.get(listener.gateway);
  if (!pooled) return assigned === undefined ? '' : undefined;
  const address = assigned?.address;
  if (address === undefined) return undefined;
  return listener.ownPort ? portTableKey(address, listener.listener.port) : address;
}

interface OwnTable {
  readonly key: string;
  /** The Gateway's own address, and the port when the table is for a port of its own. */
  readonly address: string;
  readonly port: number | undefined;
  readonly listeners: readonly ListenerState[];
  readonly merged: ReturnType<typeof mergeGatewayRoutes>;
}

/** The shared table (the Ingress table with the Gateways without an own address), and one table per own address and port. */
function mergeByTable(
  ingressTable: RoutingTable, gateways: readonly GatewayState[], addresses: ReadonlyMap<GatewayObject, AddressAssignment>, pooled: boolean,
  candidates: ReadonlyMap<string, HostBuckets>, precedence: (route: Route) => string, memo: MergeMemo | undefined,
): MergedTables {
  const { shared, byKey } = listenersByTable(gateways, addresses, pooled);
  const scoped = (scope: string) => (memo === undefined ? undefined : { memo, scope });
  const merged = mergeGatewayRoutes(ingressTable, candidates.get('') ?? new HostBuckets(), listenerCertificates(shared), precedence, scoped(''));
  const own = [...byKey].sort(([a], [b]) => compareStrings(a, b)).map(([key, { address, port, listeners }]) => {
    const result = mergeGatewayRoutes(EMPTY_TABLE, candidates.get(key) ?? new HostBuckets(), listenerCertificates(listeners), precedence, scoped(key));
    return { key, address, port, listeners, merged: { ...result, table: withListenerHosts(result.table, listeners) } };
  });
  return { merged, shared, own };
}

interface MergedTables {
  readonly merged: ReturnType<typeof mergeGatewayRoutes>;
  /** The listeners served from the shared table. */
  readonly shared: readonly ListenerState[];
  readonly own: OwnTable[];
}

/** TLSRoutes' and TCPRoutes' candidates, by the tables they are served in. */
interface StreamCandidates {
  readonly tls: StreamCandidate[];
  readonly tcp: TcpCandidate[];
}

/** A TLSRoute's or TCPRoute's parents and report; its candidates join `streams` and count in their listeners' attachedRoutes. */
function attachStreamRoute(route: TlsRouteObject | TcpRouteObject, at: Attaching, streams: StreamCandidates): RouteReport | undefined {
  const attached = attachRoute(route, at.parents, at.ctx.api);
  if (attached.length === 0) return undefined;
  const attachments = attached.flatMap((p) => p.attachments);
  for (const listener of new Set(attachments.map((a) => a.listener))) listener.attachedRoutes += 1;
  let backendProblems: CompiledRoute['backendProblems'];
  if (route.kind === 'TLSRoute') {
    const compiled = compileTlsRoute(route, attachments, at.tableKey, at.ctx);
    streams.tls.push(...compiled.candidates);
    backendProblems = compiled.backendProblems;
  } else {
    const compiled = compileTcpRoute(route, attachments, at.tableKey, at.ctx);
    streams.tcp.push(...compiled.candidates);
    backendProblems = compiled.backendProblems;
  }
  return routeReport(route, attached, { candidates: [], backendProblems, ruleProblems: [] });
}

/**
 * Each table with TLS listeners gets its streams (tls-routes.ts), each TCP listener's its route
 * (tcp-routes.ts), and their upstreams join its pools.
 */
function withStreams(tables: MergedTables, candidates: StreamCandidates, ingress: RoutingTable, conflicts: string[]): MergedTables {
  const listeners = new Map<string, readonly ListenerState[]>([['', tables.shared], ...tables.own.map((o) => [o.key, o.listeners] as const)]);
  const tls = tlsStreamsByTable(candidates.tls, listeners, ingress, conflicts);
  const tcp = tcpRoutesByTable(candidates.tcp);
  if (tls.size === 0 && tcp.size === 0) return tables;
  const add = <T extends { readonly table: RoutingTable }>(merged: T, key: string): T => {
    const streams = tls.get(key);
    const tcpRoute = tcp.get(key);
    if (streams === undefined && tcpRoute === undefined) return merged;
    const upstreams = withStreamUpstreams(merged.table.upstreams, [...(streams === undefined ? [] : streamUpstreams(streams)), ...(tcpRoute === undefined ? [] : routeUpstreams(tcpRoute))]);
    return { ...merged, table: { ...merged.table, ...(streams === undefined ? {} : { tlsStreams: streams }), ...(tcpRoute === undefined ? {} : { tcpRoute }), upstreams } };
  };
  return { ...tables, merged: add(tables.merged, ''), own: tables.own.map((o) => ({ ...o, merged: add(o.merged, o.key) })) };
}

/** Listeners by the table they serve in (tableKeyOf); every Gateway with an own address has its address's table. */
function listenersByTable(gateways: readonly GatewayState[], addresses: ReadonlyMap<GatewayObject, AddressAssignment>, pooled: boolean) {
  const shared: ListenerState[] = [];
  const byKey = new Map<string, { address: string; port: number | undefined; listeners: ListenerState[] }>();
  for (const g of gateways) {
    const address = addresses.get(g.gateway)?.address;
    if (pooled && address !== undefined && !byKey.has(address)) byKey.set(address, { address, port: undefined, listeners: [] });
    for (const l of g.listeners) {
      const key = tableKeyOf(l, addresses, pooled);
      if (key === '') shared.push(l);
      if (key === undefined || key === '' || address === undefined) continue;
      const entry = byKey.get(key);
      if (entry === undefined) byKey.set(key, { address, port: l.listener.port, listeners: [l] });
      else entry.listeners.push(l);
    }
  }
  return { shared, byKey };
}

const NO_ROUTES: HostRoutes = { exact: new Map(), prefix: new Map() };

/**
 * Listener isolation in a Gateway's own table: every served listener's hostname is a host level,
 * with no routes when none attached, so a name it covers never falls to a less specific listener's routes.
 */
function withListenerHosts(table: RoutingTable, listeners: readonly ListenerState[]): RoutingTable {
  const hosts = new Map(table.hosts);
  const wildcards = new Map(table.wildcards);
  const deep = new Set(table.deepWildcards);
  for (const l of listeners) {
    const name = l.listener.hostname;
    if (!l.served || name === undefined) continue;
    if (!name.startsWith('*.')) {
      if (!hosts.has(name)) hosts.set(name, NO_ROUTES);
    } else if (!wildcards.has(name.slice(2))) {
      wildcards.set(name.slice(2), NO_ROUTES);
      deep.add(name.slice(2));
    }
  }
  if (hosts.size === table.hosts.size && wildcards.size === table.wildcards.size) return table;
  return { ...table, hosts, wildcards, deepWildcards: deep };
}

const EMPTY_TABLE: RoutingTable = {
  hosts: new Map(), wildcards: new Map(), anyHost: undefined, defaultBackend: undefined, upstreams: new Map(), tls: { hosts: new Map(), wildcards: new Map() },
};

/**
 * The nested tables of Gateways with their own address, and the ports Bollard opens for them; their
 * upstreams join the table's, for the pools.
 */
function withOwnAddresses(table: RoutingTable, own: readonly OwnTable[]): RoutingTable {
  const upstreams = new Map(table.upstreams);
  for (const { merged } of own) for (const [key, upstream] of merged.table.upstreams) if (!upstreams.has(key)) upstreams.set(key, upstream);
  const sorted = upstreams.size === table.upstreams.size ? table.upstreams : new Map([...upstreams].sort(([a], [b]) => compareStrings(a, b)));
  const portListeners: PortListener[] = [];
  for (const { address, port, listeners } of own) {
    const served = listeners.find((l) => l.served);
    if (port !== undefined && served !== undefined) portListeners.push({ address, port, proto: served.stream === 'tcp' ? 'tcp' : served.proto });
  }
  return {
    ...table, upstreams: sorted, byAddress: new Map(own.map((o) => [o.key, o.merged.table])),
    ...(portListeners.length === 0 ? {} : { portListeners }),
  };
}

/** The table's upstreams with those its streams use (sorted by key, like the build's). */
function withStreamUpstreams(upstreams: ReadonlyMap<string, Upstream>, used: readonly Upstream[]): ReadonlyMap<string, Upstream> {
  const added = used.filter((u) => !upstreams.has(u.key));
  if (added.length === 0) return upstreams;
  return new Map([...upstreams, ...added.map((u) => [u.key, u] as const)].sort(([a], [b]) => compareStrings(a, b)));
}

/** An attached route counts in its listeners' attachedRoutes, and its candidates join their tables' hosts. */
function gather(outcome: AttachedOutcome, listeners: ReadonlyMap<string, ListenerState>, candidates: Map<string, HostBuckets>): void {
  for (const key of outcome.listeners) {
    const listener = listeners.get(key);
    if (listener !== undefined) listener.attachedRoutes += 1;
  }
  for (const { key, groups } of outcome.hostGroups) {
    let buckets = candidates.get(key);
    if (buckets === undefined) candidates.set(key, (buckets = new HostBuckets()));
    for (const group of groups) buckets.add(group);
  }
}

type GoverningCall = Parameters<BackendTlsPolicies['governing']>;
type BuildContextWithPolicies = CompileContext & { readonly backendTls: BackendTlsContext & { readonly policies: BackendTlsPolicies } };

/** What attaching and compiling each route of one build shares. */
interface Attaching {
  readonly parents: RouteParents;
  readonly ctx: BuildContextWithPolicies;
  readonly input: GatewayBuildInput;
  readonly inputs: readonly unknown[];
  readonly tableKey: (l: ListenerState) => string | undefined;
  /** This build's listener states by listenerKey. */
  readonly listeners: ReadonlyMap<string, ListenerState>;
  /** attachEnvironment; undefined: outcomes are not reused. */
  readonly environment: string | undefined;
}

/** The route's outcome of the last build, when it still holds (route-outcomes.ts). */
function reusedOutcome(route: RequestRouteObject, at: Attaching): RouteOutcome | undefined {
  const kept = at.input.routeOutcomes?.lookup(route, at.environment);
  if (kept === undefined || kept === 'unattached') return kept;
  const compiled = at.input.routeCache?.reuse(route, kept.attachKey, at.input.contextKey ?? '', at.inputs, at.ctx.snapshot);
  if (compiled !== kept.compiled) return undefined;
  const { policies } = at.ctx.backendTls;
  if (compiled.governed.length > 0 && !policies.isEmpty()) {
    replayGoverning(compiled, kept.listeners.map((key) => at.listeners.get(key)?.gateway).filter((g) => g !== undefined), policies);
  }
  if (at.input.routeOutcomes !== undefined) at.input.routeOutcomes.reused += 1;
  return kept;
}

function freshOutcome(route: RequestRouteObject, at: Attaching): RouteOutcome {
  const attached = attachRoute(route, at.parents, at.ctx.api);
  let outcome: RouteOutcome = 'unattached';
  if (attached.length > 0) {
    const attachments = attached.flatMap((p) => p.attachments);
    const keyOf = (a: Attachment) => at.tableKey(a.listener);
    const attachKey = attachKeyOf(attachments, keyOf);
    const compiled = compileCached(route, attachments, keyOf, attachKey, at);
    const listeners = [...new Set(attachments.map((a) => a.listener))].map(listenerKey);
    const hostGroups = compiled.byTable.map((t) => ({ key: t.key, groups: groupByHost(t.candidates) }));
    outcome = { attached, listeners, attachKey, compiled, hostGroups, report: routeReport(route, attached, compiled.route) };
  }
  at.input.routeOutcomes?.keep(route, at.environment, outcome);
  return outcome;
}

/**
 * A route's compilation, from the cache when nothing it depends on changed (route-cache.ts). The
 * BackendTLSPolicy lookups it made are replayed on a cache hit: they record the policies' ancestors.
 */
function compileCached(route: RequestRouteObject, attachments: readonly Attachment[], keyOf: (a: Attachment) => string | undefined, attachKey: string, at: Attaching): CompiledByTable {
  const { ctx, input } = at;
  const { policies } = ctx.backendTls;
  const compile = (recording: ClusterSnapshot): CompiledByTable => {
    const governed: GoverningCall[] = [];
    const recordingPolicies = { governing: (...call: GoverningCall) => { governed.push(call); return policies.governing(...call); } };
    const backendTls = { ...ctx.backendTls, policies: recordingPolicies };
    return { ...compileByTable(route, attachments, keyOf, { ...ctx, snapshot: recording, backendTls }), governed };
  };
  if (input.routeCache === undefined) return compile(ctx.snapshot);
  const miss = { compiled: false };
  const compiled = input.routeCache.compile(route, attachKey, input.contextKey ?? '', at.inputs, ctx.snapshot, (recording) => {
    miss.compiled = true;
    return compile(recording);
  });
  if (!miss.compiled) replayGoverning(compiled, attachments.map((a) => a.listener.gateway), policies);
  return compiled;
}

/** Ancestors are recorded by Gateway object: a reused compilation replays its lookups with this build's objects. */
function replayGoverning(compiled: CompiledByTable, gateways: readonly GatewayObject[], policies: BackendTlsPolicies): void {
  if (compiled.governed.length === 0 || policies.isEmpty()) return;
  const current = new Map(gateways.map((g) => [refKey(g), g]));
  for (const [namespace, service, port, governedGateways] of compiled.governed) {
    policies.governing(namespace, service, port, governedGateways.map((g) => current.get(refKey(g)) ?? g));
  }
}

/** What a route's compilation depends on from its attachments (route-cache.ts). */
function attachKeyOf(attachments: readonly Attachment[], keyOf: (a: Attachment) => string | undefined): string {
  return attachments.map((a) => {
    const { gateway, proto, served } = a.listener;
    return `${gateway.namespace}/${gateway.name} ${keyOf(a) ?? '-'} ${proto} ${served ? 1 : 0} ${a.hostnames.join(',')}`;
  }).join('\n');
}

/**
 * What every route's compilation may depend on beyond its own reads and attachments, compared by
 * identity (route-cache.ts): ReferenceGrants, Gateways' backend client certificates, and
 * BackendTLSPolicies with the CA bundles they name. These change rarely; a change recompiles all.
 * Not the Gateway objects: their status (attachedRoutes) changes with every route attached.
 */
function cacheInputs(api: GatewayApiSnapshot, clientCertificates: ReadonlyMap<GatewayObject, BackendClientCertificate>): unknown[] {
  const policies = api.backendTlsPolicies ?? [];
  const lookup = api.lookupConfigMapCa;
  const bundles = lookup === undefined ? [] : policies.flatMap((p) => p.caCertificateRefs.map((r) => lookup(p.namespace, r.name)));
  const clients = [...clientCertificates.values()].map((c) => c.certificate ?? c.problem?.message);
  return [...api.referenceGrants, ...policies, ...bundles, ...clients];
}

export interface CompiledByTable {
  readonly route: CompiledRoute;
  readonly byTable: readonly { readonly key: string; readonly candidates: readonly GatewayCandidate[] }[];
  /** The BackendTLSPolicy lookups the compilation made. */
  readonly governed: readonly GoverningCall[];
}

/**
 * A route's candidates per table its listeners serve on (tableKeyOf). Rule and backend problems do
 * not depend on the attachments: they come from the first compilation.
 */
function compileByTable(
  route: RequestRouteObject, attachments: readonly Attachment[], keyOf: (a: Attachment) => string | undefined, ctx: CompileContext,
): Omit<CompiledByTable, 'governed'> {
  const groups = new Map<string, Attachment[]>();
  for (const a of attachments) {
    const key = keyOf(a);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [a]);
    else group.push(a);
  }
  if (groups.size === 0) groups.set('', []);
  const byTable = [...groups].map(([key, group]) => ({ key, compiled: compileRoute(route, group, ctx) }));
  const first = (byTable[0] as { compiled: CompiledRoute }).compiled;
  return {
    route: { ...first, candidates: byTable.flatMap((b) => b.compiled.candidates) },
    byTable: byTable.map((b) => ({ key: b.key, candidates: b.compiled.candidates })),
  };
}

function routeReport(route: RouteObject, parents: readonly ParentResult[], compiled: CompiledRoute): RouteReport {
  const resolved = compiled.backendProblems[0];
  const refs = resolved === undefined ? condition('ResolvedRefs', true, 'ResolvedRefs') : condition('ResolvedRefs', false, resolved.reason, resolved.message);
  const partial = compiled.ruleProblems.length === 0 ? [] : [condition('PartiallyInvalid', true, 'UnsupportedValue', compiled.ruleProblems.join('; '))];
  const servesNothing = compiled.candidates.length === 0 && compiled.ruleProblems.length > 0;
  return {
    kind: route.kind, ref: { namespace: route.namespace, name: route.name }, generation: route.generation,
    parents: parents.map((p) => {
      const accepted = servesNothing && p.accepted.status === 'True' ? condition('Accepted', false, 'UnsupportedValue', compiled.ruleProblems.join('; ')) : p.accepted;
      return { parentRef: p.parentRef, conditions: [accepted, refs, ...(accepted.status === 'True' ? partial : [])] };
    }),
  };
}

/**
 * @param assigned its address (addresses.ts), or why it has none; with `pooled` false, undefined
 *   means it shares the published addresses.
 */
function gatewayReport(withSets: GatewayState, assigned: AddressAssignment | undefined, pooled: boolean, client: BackendClientCertificate | undefined): GatewayReport {
  const problem = assigned?.address === undefined ? assigned : undefined;
  // Its conditions and listeners are its own; its ListenerSets' are theirs (listener-sets.ts).
  const state = { ...withSets, listeners: withSets.listeners.filter((l) => l.listenerSet === undefined) };
  return {
    ...(state.gateway.allowedListeners === undefined ? {} : { attachedListenerSets: attachedListenerSets(withSets) }),
    ...(pooled ? { addresses: assigned?.address === undefined ? [] : [assigned.address] } : {}),
    ref: { namespace: state.gateway.namespace, name: state.gateway.name }, generation: state.gateway.generation,
    conditions: [
      acceptedGateway(state, problem), programmedGateway(state, problem),
      gatewayResolvedRefs(client ?? { certificate: undefined, problem: undefined }, state.listeners), ...insecureFallback(state),
    ],
    listeners: state.listeners.map((l: ListenerState) => ({ name: l.listener.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes, conditions: l.conditions })),
  };
}

type AddressProblem = Exclude<AddressAssignment, { address: string }>;

function acceptedGateway(state: GatewayState, problem: AddressProblem | undefined): ConditionSpec {
  const parameters = invalidParameters(state.gateway);
  if (parameters !== undefined) return invalidParametersCondition(parameters);
  if (problem?.reason === 'UnsupportedAddress') return condition('Accepted', false, problem.reason, problem.message);
  const valid = state.listeners.filter((l) => l.served).length;
  const all = state.listeners.length;
  if (valid === all) return condition('Accepted', true, 'Accepted');
  const notValid = `${String(all - valid)} of ${String(all)} listeners are not served`;
  return condition('Accepted', state.listeners.some((l) => l.attachable), 'ListenersNotValid', notValid);
}

/** Set while any of the Gateway's frontend validation lets clients without a valid certificate in. */
function insecureFallback(state: GatewayState): ConditionSpec[] {
  return allowsInsecureFallback(state.gateway)
    ? [condition('InsecureFrontendValidationMode', true, 'ConfigurationChanged', 'clients without a valid certificate are let in (AllowInsecureFallback)')] : [];
}

function programmedGateway(state: GatewayState, problem: AddressProblem | undefined): ConditionSpec {
  if (problem !== undefined) return condition('Programmed', false, problem.reason === 'UnsupportedAddress' ? 'Invalid' : problem.reason, problem.message);
  return state.listeners.some((l) => l.served) ? condition('Programmed', true, 'Programmed') : condition('Programmed', false, 'Invalid', 'no listener is served');
}

/**
 * Served HTTPS listeners' certificates by hostname ("" for a listener without one); the first
 * listener (Gateways by namespace/name) wins a name.
 */
function listenerCertificates(listeners: readonly ListenerState[]): Map<string, TlsCertificate> {
  const out = new Map<string, TlsCertificate>();
  for (const l of listeners) {
    const name = l.listener.hostname ?? '';
    if (l.served && l.certificate !== undefined && !out.has(name)) out.set(name, l.certificate);
  }
  return out;
}

function ingressPrecedenceOf(snapshot: ClusterSnapshot): (route: Route) => string {
  let times: Map<string, string> | undefined;
  return (route) => {
    times ??= new Map(snapshot.ingresses().map((i) => [`${i.namespace}/${i.name}`, i.creationTimestamp]));
    const { namespace, name } = route.ingress;
    return `${times.get(`${namespace}/${name}`) ?? ''}\nIngress\n${namespace}\n${name}`;
  };
}
