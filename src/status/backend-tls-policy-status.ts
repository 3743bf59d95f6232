// BackendTLSPolicy status.ancestors from the build's report: one entry per Gateway of ours whose
// routes reach the policy's targets, with our controllerName. Other controllers' entries stay as
// the API holds them (shared-list-write.ts reads them back right before writing), and ours for
// Gateways that no longer route there are dropped. A policy is written only when our entries
// differ; the API allows 16 ancestors, ours are cut to fit beside the others.
import { toPolicyAncestorStatus } from '../kube/convert-gateway.ts';
import type { BackendTlsPolicyReport } from '../routing/gateway/report.ts';
import type { PolicyAncestorStatus } from '../snapshot/gateway-model.ts';
import type { GatewayStore } from '../snapshot/gateway-store.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';
import { sameParent } from './route-status.ts';
import { writeOurEntries, type SharedListDeps } from './shared-list-write.ts';

const API = '/apis/gateway.networking.k8s.io/v1';
const MAX_ANCESTORS = 16;

export function backendTlsPolicyWrites(
  deps: SharedListDeps, store: GatewayStore, reports: readonly BackendTlsPolicyReport[], now: string,
): (() => Promise<void>)[] {
  const reported = new Map(reports.map((r) => [`${r.ref.namespace}/${r.ref.name}`, r]));
  const writes: (() => Promise<void>)[] = [];
  for (const policy of store.allBackendTlsPolicies()) {
    const report = reported.get(`${policy.namespace}/${policy.name}`);
    const generation = report?.generation ?? policy.generation;
    const ours = (read: readonly PolicyAncestorStatus[]) => ourAncestors(read, report, deps.controllerName, generation, now);
    if (ours(policy.statusAncestors) === undefined) continue;
    writes.push(async () => {
      const ok = await writeOurEntries(deps, {
        kind: 'BackendTLSPolicy', path: `${API}/namespaces/${policy.namespace}/backendtlspolicies/${policy.name}`, uid: policy.uid, list: 'ancestors',
        parse: toPolicyAncestorStatus, ours,
        // Noted before the PATCH, whose echo may come first: the echo is then no news.
        writing: (entries) => { store.noteOurAncestors(policy, entries); },
      });
      if (!ok) store.forgetOurAncestors(policy);
    });
  }
  return writes;
}

/** Our status.ancestors entries, given the entries read; undefined when those say that already. */
export function ourAncestors(
  read: readonly PolicyAncestorStatus[], report: BackendTlsPolicyReport | undefined, controllerName: string, generation: number, now: string,
): PolicyAncestorStatus[] | undefined {
  const current = read.filter((a) => a.controllerName === controllerName);
  const room = Math.max(0, MAX_ANCESTORS - (read.length - current.length));
  const desired: PolicyAncestorStatus[] = (report?.ancestors ?? []).slice(0, room).map((a) => {
    const before = current.find((o) => sameParent(o.ancestorRef, a.ancestorRef));
    return { ancestorRef: a.ancestorRef, controllerName, conditions: toConditions(a.conditions, before?.conditions ?? [], generation, now) };
  });
  const unchanged = desired.length === current.length && desired.every((d, i) => {
    const o = current[i];
    return o !== undefined && sameParent(o.ancestorRef, d.ancestorRef) && sameConditions(o.conditions, d.conditions);
  });
  return unchanged ? undefined : desired;
}
