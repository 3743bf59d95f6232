// HTTPRoute and GRPCRoute status.parents from the build's report: one entry per parentRef naming a
// Gateway of ours, with our controllerName. Other controllers' entries stay as the API holds them
// (shared-list-write.ts reads them back right before writing), and ours for parents we no longer
// serve are dropped. A route is written only when our entries differ from what it holds.
import { toRouteParentStatus } from '../kube/convert-gateway.ts';
import type { RouteReport } from '../routing/gateway/report.ts';
import type { RouteParentStatus } from '../snapshot/gateway-model.ts';
import type { GatewayStore } from '../snapshot/gateway-store.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';
import { writeOurEntries, type SharedListDeps } from './shared-list-write.ts';

const API = '/apis/gateway.networking.k8s.io/v1';

export function routeStatusWrites(deps: SharedListDeps, store: GatewayStore, reports: readonly RouteReport[], now: string): (() => Promise<void>)[] {
  const reported = new Map(reports.map((r) => [`${r.kind}:${r.ref.namespace}/${r.ref.name}`, r]));
  const writes: (() => Promise<void>)[] = [];
  for (const route of store.allRoutes()) {
    const report = reported.get(`${route.kind}:${route.namespace}/${route.name}`);
    // observedGeneration: the generation the build saw, whatever a later read finds.
    const generation = report?.generation ?? route.generation;
    const ours = (read: readonly RouteParentStatus[]) => ourParents(read, report, deps.controllerName, generation, now);
    if (ours(route.statusParents) === undefined) continue;
    const plural = route.kind === 'HTTPRoute' ? 'httproutes' : 'grpcroutes';
    writes.push(async () => {
      const ok = await writeOurEntries(deps, {
        kind: route.kind, path: `${API}/namespaces/${route.namespace}/${plural}/${route.name}`, uid: route.uid, list: 'parents',
        parse: toRouteParentStatus, ours,
        // Noted before the PATCH (its echo may come from the watch before its answer): the echo is
        // then no news, no rebuild; only another writer's change to our entries is.
        writing: (entries) => { store.noteOurParents(route, entries); },
      });
      if (!ok) store.forgetOurParents(route);
    });
  }
  return writes;
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
