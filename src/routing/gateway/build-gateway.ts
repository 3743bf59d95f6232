// The Gateway API build: GatewayClasses of ours → their Gateways' listeners → the routes attached
// to them → candidates merged into the table the Ingress build assembled (merge.ts), with the
// status of every object computed alongside (report.ts). Pure, like the Ingress build.
import type { ClusterSnapshot, SecretObject } from '../../snapshot/model.ts';
import type { GatewayApiSnapshot, RouteObject } from '../../snapshot/gateway-model.ts';
import type { MiddlewareChain } from '../middleware.ts';
import type { Diagnostic, Route, RouteDefaults, RouteOptions, RoutingTable, TlsCertificate } from '../types.ts';
import type { TlsSecretResult } from '../tls-secret.ts';
import { attachRoute, type ParentResult } from './attach.ts';
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
}

export function buildGatewayApi(input: GatewayBuildInput, ingressTable: RoutingTable): GatewayBuild {
  const { api, snapshot } = input;
  const classes = ourClasses(api, input.controllerName);
  const gateways = compileGateways(api, classes.names, snapshot, input.secretReadings);
  const byKey = new Map(gateways.map((g) => [`${g.gateway.namespace}/${g.gateway.name}`, g]));
  const ctx: CompileContext = { api, snapshot, defaults: input.defaults, options: new Map<string, RouteOptions>(), chains: new Map<string, MiddlewareChain>() };
  const candidates: GatewayCandidate[] = [];
  const routes: RouteReport[] = [];
  for (const route of api.routes) {
    const parents = attachRoute(route, byKey, api);
    if (parents.length === 0) continue;
    const attachments = parents.flatMap((p) => p.attachments);
    for (const a of new Set(attachments.map((x) => x.listener))) a.attachedRoutes += 1;
    const compiled = compileRoute(route, attachments, ctx);
    candidates.push(...compiled.candidates);
    routes.push(routeReport(route, parents, compiled));
  }
  const merged = mergeGatewayRoutes(ingressTable, candidates, listenerCertificates(gateways), ingressPrecedenceOf(snapshot));
  return {
    table: merged.table,
    report: { classes: classes.reports, gateways: gateways.map(gatewayReport), routes, conflicts: merged.conflicts },
    diagnostics: merged.diagnostics,
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

function gatewayReport(state: GatewayState): GatewayReport {
  const served = state.listeners.filter((l) => l.served).length;
  const all = state.listeners.length;
  const notValid = `${String(all - served)} of ${String(all)} listeners are not served`;
  const conditions: ConditionSpec[] = [
    served === all ? condition('Accepted', true, 'Accepted')
      : state.listeners.some((l) => l.attachable) ? condition('Accepted', true, 'ListenersNotValid', notValid)
        : condition('Accepted', false, 'ListenersNotValid', notValid),
    served > 0 ? condition('Programmed', true, 'Programmed') : condition('Programmed', false, 'Invalid', 'no listener is served'),
  ];
  return {
    ref: { namespace: state.gateway.namespace, name: state.gateway.name }, generation: state.gateway.generation, conditions,
    listeners: state.listeners.map((l: ListenerState) => ({ name: l.listener.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes, conditions: l.conditions })),
  };
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
