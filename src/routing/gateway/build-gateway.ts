// The Gateway API build: GatewayClasses of ours → their Gateways' listeners → the routes attached
// to them → candidates merged into the table the Ingress build assembled (merge.ts), with the
// status of every object computed alongside (report.ts). Pure, like the Ingress build.
import type { ClusterSnapshot, SecretObject } from '../../snapshot/model.ts';
import type { GatewayApiSnapshot, GatewayObject, RouteObject } from '../../snapshot/gateway-model.ts';
import { compareStrings } from '../compare.ts';
import type { MiddlewareChain } from '../middleware.ts';
import type { Diagnostic, HostRoutes, Route, RouteDefaults, RouteOptions, RoutingTable, TlsCertificate } from '../types.ts';
import type { TlsSecretResult } from '../tls-secret.ts';
import { assignAddresses } from './addresses.ts';
import { attachRoute, type Attachment, type ParentResult } from './attach.ts';
import { allowsInsecureFallback } from './frontend-validation.ts';
import { compileGateways, ourClasses, type GatewayState, type ListenerState } from './listeners.ts';
import { mergeGatewayRoutes } from './merge.ts';
import { compileRoute, type CompileContext, type CompiledRoute, type GatewayCandidate } from './routes.ts';
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
}

export function buildGatewayApi(input: GatewayBuildInput, ingressTable: RoutingTable): GatewayBuild {
  const { api, snapshot } = input;
  const classes = ourClasses(api, input.controllerName);
  const gateways = compileGateways(api, classes.names, snapshot, input.secretReadings);
  const byKey = new Map(gateways.map((g) => [`${g.gateway.namespace}/${g.gateway.name}`, g]));
  const pool = input.gatewayAddresses;
  const addresses = ownAddresses(gateways, pool);
  const addressOf = (a: Attachment): string => addresses.get(a.listener.gateway) ?? '';
  const ctx: CompileContext = { api, snapshot, defaults: input.defaults, options: new Map<string, RouteOptions>(), chains: new Map<string, MiddlewareChain>() };
  const candidates = new Map<string, GatewayCandidate[]>();
  const routes: RouteReport[] = [];
  for (const route of api.routes) {
    const parents = attachRoute(route, byKey, api);
    if (parents.length === 0) continue;
    const attachments = parents.flatMap((p) => p.attachments);
    for (const a of new Set(attachments.map((x) => x.listener))) a.attachedRoutes += 1;
    const compiled = compileByAddress(route, attachments, addressOf, ctx);
    for (const c of compiled.byAddress) {
      const list = candidates.get(c.address);
      if (list === undefined) candidates.set(c.address, [...c.candidates]);
      else list.push(...c.candidates);
    }
    routes.push(routeReport(route, parents, compiled.route));
  }
  const { merged, own } = mergeByAddress(ingressTable, gateways, addresses, candidates, ingressPrecedenceOf(snapshot));
  return {
    table: own.length === 0 ? merged.table : withOwnAddresses(merged.table, own.map((o) => [o.address, o.merged.table])),
    report: {
      classes: classes.reports, routes,
      gateways: gateways.map((g) => gatewayReport(g, pool.length === 0 ? undefined : addresses.get(g.gateway) ?? '')),
      conflicts: [...merged.conflicts, ...own.flatMap((o) => o.merged.conflicts.map((c) => `${c} (on ${o.address})`))],
    },
    diagnostics: [...merged.diagnostics, ...own.flatMap((o) => o.merged.diagnostics)],
  };
}

/** Each Gateway's own address (addresses.ts); empty without a pool. A Gateway left without one serves nothing. */
function ownAddresses(gateways: readonly GatewayState[], pool: readonly string[]): Map<GatewayObject, string | undefined> {
  if (pool.length === 0) return new Map();
  const addresses = assignAddresses(gateways.map((g) => g.gateway), pool);
  for (const g of gateways) if (addresses.get(g.gateway) === undefined) for (const l of g.listeners) l.served = false;
  return addresses;
}

/** The shared table (the Ingress table with the Gateways without an own address), and one table per own address. */
function mergeByAddress(
  ingressTable: RoutingTable, gateways: readonly GatewayState[], addresses: ReadonlyMap<GatewayObject, string | undefined>,
  candidates: ReadonlyMap<string, readonly GatewayCandidate[]>, precedence: (route: Route) => string,
) {
  const shared = gateways.filter((g) => !addresses.has(g.gateway));
  const merged = mergeGatewayRoutes(ingressTable, candidates.get('') ?? [], listenerCertificates(shared), precedence);
  const own = [...new Set(addresses.values())].filter((a): a is string => a !== undefined).sort().map((address) => {
    const mine = gateways.filter((g) => addresses.get(g.gateway) === address);
    const result = mergeGatewayRoutes(EMPTY_TABLE, candidates.get(address) ?? [], listenerCertificates(mine), precedence);
    return { address, merged: { ...result, table: withListenerHosts(result.table, mine) } };
  });
  return { merged, own };
}

const NO_ROUTES: HostRoutes = { exact: new Map(), prefix: new Map() };

/**
 * Listener isolation in a Gateway's own table: every served listener's hostname is a host level,
 * with no routes when none attached, so a name it covers never falls to a less specific listener's routes.
 */
function withListenerHosts(table: RoutingTable, gateways: readonly GatewayState[]): RoutingTable {
  const hosts = new Map(table.hosts);
  const wildcards = new Map(table.wildcards);
  const deep = new Set(table.deepWildcards);
  for (const l of gateways.flatMap((g) => g.listeners)) {
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

/** The nested tables of Gateways with their own address; their upstreams join the table's, for the pools. */
function withOwnAddresses(table: RoutingTable, own: readonly (readonly [string, RoutingTable])[]): RoutingTable {
  const upstreams = new Map(table.upstreams);
  for (const [, nested] of own) for (const [key, upstream] of nested.upstreams) if (!upstreams.has(key)) upstreams.set(key, upstream);
  const sorted = upstreams.size === table.upstreams.size ? table.upstreams : new Map([...upstreams].sort(([a], [b]) => compareStrings(a, b)));
  return { ...table, upstreams: sorted, byAddress: new Map(own) };
}

/**
 * A route's candidates per address its Gateways serve on ("" for the shared addresses). Rule and
 * backend problems do not depend on the attachments: they come from the first compilation.
 */
function compileByAddress(
  route: RouteObject, attachments: readonly Attachment[], addressOf: (a: Attachment) => string, ctx: CompileContext,
): { route: CompiledRoute; byAddress: { address: string; candidates: readonly GatewayCandidate[] }[] } {
  const groups = new Map<string, Attachment[]>();
  for (const a of attachments) {
    const group = groups.get(addressOf(a));
    if (group === undefined) groups.set(addressOf(a), [a]);
    else group.push(a);
  }
  if (groups.size === 0) groups.set('', []);
  const byAddress = [...groups].map(([address, group]) => ({ address, compiled: compileRoute(route, group, ctx) }));
  const first = (byAddress[0] as { compiled: CompiledRoute }).compiled;
  return {
    route: { ...first, candidates: byAddress.flatMap((b) => b.compiled.candidates) },
    byAddress: byAddress.map((b) => ({ address: b.address, candidates: b.compiled.candidates })),
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

/** @param address the Gateway's own address (addresses.ts); undefined without a pool, "" when the pool ran out. */
function gatewayReport(state: GatewayState, address: string | undefined): GatewayReport {
  const served = state.listeners.filter((l) => l.served).length;
  const all = state.listeners.length;
  const notValid = `${String(all - served)} of ${String(all)} listeners are not served`;
  const conditions: ConditionSpec[] = [
    served === all ? condition('Accepted', true, 'Accepted')
      : state.listeners.some((l) => l.attachable) ? condition('Accepted', true, 'ListenersNotValid', notValid)
        : condition('Accepted', false, 'ListenersNotValid', notValid),
    programmed(served, address),
    ...(allowsInsecureFallback(state.gateway) ? [condition('InsecureFrontendValidationMode', true, 'ConfigurationChanged', 'clients without a valid certificate are let in (AllowInsecureFallback)')] : []),
  ];
  return {
    ...(address === undefined ? {} : { addresses: address === '' ? [] : [address] }),
    ref: { namespace: state.gateway.namespace, name: state.gateway.name }, generation: state.gateway.generation, conditions,
    listeners: state.listeners.map((l: ListenerState) => ({ name: l.listener.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes, conditions: l.conditions })),
  };
}

function programmed(served: number, address: string | undefined): ConditionSpec {
  if (address === '') return condition('Programmed', false, 'AddressNotAssigned', 'every address of --gateway-addresses is taken by an older Gateway');
  return served > 0 ? condition('Programmed', true, 'Programmed') : condition('Programmed', false, 'Invalid', 'no listener is served');
}

/**
 * Served HTTPS listeners' certificates by hostname ("" for a listener without one); the first
 * Gateway (by namespace/name) wins a name.
 */
function listenerCertificates(gateways: readonly GatewayState[]): Map<string, TlsCertificate> {
  const out = new Map<string, TlsCertificate>();
  for (const g of gateways) {
    for (const l of g.listeners) {
      const name = l.listener.hostname ?? '';
      if (l.served && l.certificate !== undefined && !out.has(name)) out.set(name, l.certificate);
    }
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
