// HTTPRoute, GRPCRoute and TLSRoute status.parents from the build's report: one entry per parentRef naming a
// Gateway of ours, with our controllerName. Other controllers' entries stay as the API holds them
// (shared-list-write.ts writes against the informer's object, reading it again after a 409), and ours for parents we no longer
// serve are dropped. A route is written only when our entries differ from what it holds.
import { toRouteParentStatus } from '../kube/convert-gateway.ts';
import type { RouteReport } from '../routing/gateway/report.ts';
import type { RouteObject, RouteParentStatus } from '../snapshot/gateway-model.ts';
import type { GatewayStore } from '../snapshot/gateway-store.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';
import { writeOurEntries, type SharedListDeps } from './shared-list-write.ts';

const API = '/apis/gateway.networking.k8s.io/v1';

/**
 * Routes found holding what their report says, by route object. Objects and reports are immutable,
 * and an unchanged route keeps its report object from build to build (routing/gateway/route-outcomes.ts),
 * so while both are the same there is nothing to compare: a sync costs the routes that changed.
 */
export type RouteAgreements = WeakMap<RouteObject, RouteReport | typeof NO_REPORT>;
const NO_REPORT = 'none';

export function routeStatusWrites(
  deps: SharedListDeps, store: GatewayStore, reports: readonly RouteReport[], now: string, agreed?: RouteAgreements,
): (() => Promise<void>)[] {
  const reported = reportsByRoute(reports);
  const writes: (() => Promise<void>)[] = [];
  for (const route of store.allRoutes()) {
    const report = reported.get(route.kind)?.get(route.namespace)?.get(route.name);
    if (agreed?.get(route) === (report ?? NO_REPORT)) continue;
    // observedGeneration: the generation the build saw, whatever a later read finds.
    const generation = report?.generation ?? route.generation;
    const ours = (read: readonly RouteParentStatus[]) => ourParents(read, report, deps.controllerName, generation, now);
    if (ours(route.statusParents) === undefined) {
      agreed?.set(route, report ?? NO_REPORT);
      continue;
    }
    writes.push(() => writeRoute(deps, store, route, ours));
  }
  return writes;
}

async function writeRoute(
  deps: SharedListDeps, store: GatewayStore, route: RouteObject, ours: (read: readonly RouteParentStatus[]) => RouteParentStatus[] | undefined,
): Promise<void> {
  const plural = `${route.kind.toLowerCase()}s`;
  const ok = await writeOurEntries(deps, {
    kind: route.kind, path: `${API}/namespaces/${route.namespace}/${plural}/${route.name}`, uid: route.uid, list: 'parents',
    parse: toRouteParentStatus, ours,
    known: route.resourceVersion === '' ? undefined : { resourceVersion: route.resourceVersion, entries: route.statusParents },
    // Noted before the PATCH (its echo may come from the watch before its answer): the echo is
    // then no news, no rebuild; only another writer's change to our entries is.
    writing: (entries) => { store.noteOurParents(route, entries); },
  });
  if (!ok) store.forgetOurParents(route);
}

/** Reports by kind, namespace and name: nested maps of the strings the objects hold, no key built per route. */
function reportsByRoute(reports: readonly RouteReport[]): Map<string, Map<string, Map<string, RouteReport>>> {
  const out = new Map<string, Map<string, Map<string, RouteReport>>>();
  for (const r of reports) {
    let byNamespace = out.get(r.kind);
    if (byNamespace === undefined) out.set(r.kind, (byNamespace = new Map<string, Map<string, RouteReport>>()));
    let byName = byNamespace.get(r.ref.namespace);
    if (byName === undefined) byNamespace.set(r.ref.namespace, (byName = new Map<string, RouteReport>()));
    byName.set(r.ref.name, r);
  }
  return out;
}

/** Our status.parents entries, given the entries read; undefined when those say that already. */
export function ourParents(
  read: readonly RouteParentStatus[], report: RouteReport | undefined, controllerName: string, generation: number, now: string,
): RouteParentStatus[] | undefined {
  const current = read.filter((p) => p.controllerName === controllerName);
  const desired: RouteParentStatus[] = (report?.parents ?? []).map((p) => {
    const before = current.find((o) => sameParent(o.parentRef, p.parentRef));
    return { parentRef: p.parentRef, controllerName, conditions: toConditions(p.conditions, before?.conditions ?? [], generation, now) };
  });
  const unchanged = desired.length === current.length && desired.every((d, i) => {
    const o = current[i];
    return o !== undefined && sameParent(o.parentRef, d.parentRef) && sameConditions(o.conditions, d.conditions);
  });
  return unchanged ? undefined : desired;
}

export function sameParent(a: RouteParentStatus['parentRef'], b: RouteParentStatus['parentRef']): boolean {
  return a.group === b.group && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') &&
    (a.sectionName ?? '') === (b.sectionName ?? '') && a.port === b.port;
}
