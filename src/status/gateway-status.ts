// Writes Gateway API status from the build's report (routing/gateway/report.ts): GatewayClass
// Accepted; Gateway Accepted/Programmed/ResolvedRefs, addresses and per-listener conditions;
// BackendTLSPolicy ancestors (backend-tls-policy-status.ts); each route's
// status.parents entries for our controllerName — entries of other controllers are written back as
// they are, and our entries for parents we no longer serve are dropped. Only the status leader
// calls this; each object is written only when its status differs, and a failed write is logged
// and retried on the next sync.
import { isDeepStrictEqual } from 'node:util';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { GatewayApiReport, GatewayReport, RouteReport } from '../routing/gateway/report.ts';
import type { Condition, GatewayObject, ListenerStatus, RouteObject, RouteParentStatus } from '../snapshot/gateway-model.ts';
import type { GatewayStore } from '../snapshot/gateway-store.ts';
import type { LoadBalancerIngress } from '../snapshot/model.ts';
import { backendTlsPolicyWrites } from './backend-tls-policy-status.ts';
import { allBounded } from './bounded.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';

const API = '/apis/gateway.networking.k8s.io/v1';

export interface GatewayStatusDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly controllerName: string;
  /** RFC 3339, for lastTransitionTime. */
  readonly now: () => string;
}

export async function syncGatewayStatus(
  deps: GatewayStatusDeps, store: GatewayStore, report: GatewayApiReport, addresses: readonly LoadBalancerIngress[],
): Promise<void> {
  const now = deps.now();
  const writes: (() => Promise<void>)[] = [];
  for (const c of report.classes) {
    const current = store.lookupGatewayClass(c.name);
    if (current === undefined) continue;
    const conditions = toConditions(c.conditions, current.conditions, current.generation, now);
    if (!sameConditions(conditions, current.conditions)) writes.push(async () => { await write(deps, `${API}/gatewayclasses/${c.name}/status`, { status: { conditions } }, c.name); });
  }
  for (const g of report.gateways) {
    const current = store.lookupGateway(g.ref.namespace, g.ref.name);
    const status = current === undefined ? undefined : gatewayStatus(g, current, addresses, now);
    if (status !== undefined) writes.push(async () => { await write(deps, `${API}/namespaces/${g.ref.namespace}/gateways/${g.ref.name}/status`, { status }, `${g.ref.namespace}/${g.ref.name}`); });
  }
  const reported = new Map(report.routes.map((r) => [`${r.kind}:${r.ref.namespace}/${r.ref.name}`, r]));
  for (const route of store.allRoutes()) {
    const parents = desiredParents(route, reported.get(`${route.kind}:${route.namespace}/${route.name}`), deps.controllerName, now);
    if (parents === undefined) continue;
    const plural = route.kind === 'HTTPRoute' ? 'httproutes' : 'grpcroutes';
    writes.push(async () => {
      // Noted before the PATCH (its echo may come from the watch before the PATCH's own answer):
      // the echo is then no news, no rebuild; only another writer's change is.
      store.noteOurParents(route, parents.filter((p) => p.controllerName === deps.controllerName));
      const ok = await write(deps, `${API}/namespaces/${route.namespace}/${plural}/${route.name}/status`, { status: { parents } }, `${route.namespace}/${route.name}`);
      if (!ok) store.forgetOurParents(route);
    });
  }
  writes.push(...backendTlsPolicyWrites(store, report.backendTlsPolicies, deps.controllerName, now, (path, body, object) => write(deps, path, body, object)));
  await allBounded(writes);
}

/** The Gateway's status to write; undefined when it holds that already. */
function gatewayStatus(g: GatewayReport, current: GatewayObject, shared: readonly LoadBalancerIngress[], now: string) {
  const conditions = toConditions(g.conditions, current.conditions, current.generation, now);
  const listeners = listenersOf(g, current, now);
  // Its own address (--gateway-addresses), else the addresses every Gateway shares.
  const addresses = g.addresses?.map((value) => ({ type: 'IPAddress', value })) ?? shared.map(toAddress);
  const sameAddresses = isDeepStrictEqual(addresses.map((a) => a.value), current.statusAddresses);
  if (sameAddresses && sameConditions(conditions, current.conditions) && sameListeners(listeners, current.listenerStatus)) return undefined;
  return { addresses, conditions, listeners };
}

function listenersOf(g: GatewayReport, current: GatewayObject, now: string) {
  return g.listeners.map((l) => ({
    name: l.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes,
    conditions: toConditions(l.conditions, current.listenerStatus.find((x) => x.name === l.name)?.conditions ?? [], current.generation, now),
  }));
}

function sameListeners(a: readonly ListenerStatus[], b: readonly ListenerStatus[]): boolean {
  return a.length === b.length && a.every((l, i) => {
    const m = b[i];
    return m !== undefined && l.name === m.name && l.attachedRoutes === m.attachedRoutes && sameConditions(l.conditions, m.conditions);
  });
}

/** The route's status.parents to write, or undefined when it already says that. */
function desiredParents(route: RouteObject, report: RouteReport | undefined, controllerName: string, now: string): RouteParentStatus[] | undefined {
  const others = route.statusParents.filter((p) => p.controllerName !== controllerName);
  const ours = route.statusParents.filter((p) => p.controllerName === controllerName);
  const desired: RouteParentStatus[] = (report?.parents ?? []).map((p) => {
    const before = ours.find((o) => sameParent(o.parentRef, p.parentRef));
    return { parentRef: p.parentRef, controllerName, conditions: toConditions(p.conditions, before?.conditions ?? [], route.generation, now) };
  });
  const unchanged = desired.length === ours.length && desired.every((d, i) => {
    const o = ours[i];
    return o !== undefined && sameParent(o.parentRef, d.parentRef) && sameConditions(o.conditions, d.conditions);
  });
  return unchanged ? undefined : [...others, ...desired];
}

function sameParent(a: RouteParentStatus['parentRef'], b: RouteParentStatus['parentRef']): boolean {
  return a.group === b.group && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') &&
    (a.sectionName ?? '') === (b.sectionName ?? '') && a.port === b.port;
}

function toAddress(a: LoadBalancerIngress): { type: string; value: string } {
  return a.ip === undefined ? { type: 'Hostname', value: a.hostname ?? '' } : { type: 'IPAddress', value: a.ip };
}

/** PATCHes the status; true when the API server took it (a failure is logged and retried on the next sync). */
async function write(deps: GatewayStatusDeps, path: string, body: { status: unknown }, object: string): Promise<boolean> {
  try {
    await deps.client.request('PATCH', path, body);
    deps.metrics.statusWrites.inc({ result: 'success' });
    deps.log.info('gateway api status updated', { object, path });
    return true;
  } catch (err: unknown) {
    deps.metrics.statusWrites.inc({ result: 'error' });
    deps.log.warn('gateway api status update failed', { object, path, err });
    return false;
  }
}

export type { Condition };
