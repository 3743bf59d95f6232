// BackendTLSPolicy status.ancestors from the build's report: one entry per Gateway of ours whose
// routes reach the policy's targets, with our controllerName; other controllers' entries are written
// back as they are, and ours for Gateways that no longer route there are dropped. A policy is
// written only when our entries differ; the API allows 16 ancestors, ours are cut to fit.
import type { BackendTlsPolicyReport } from '../routing/gateway/report.ts';
import type { BackendTlsPolicyObject, ParentRef, PolicyAncestorStatus } from '../snapshot/gateway-model.ts';
import type { GatewayStore } from '../snapshot/gateway-store.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';

const API = '/apis/gateway.networking.k8s.io/v1';
const MAX_ANCESTORS = 16;

type Write = (path: string, body: { status: unknown }, object: string) => Promise<boolean>;

export function backendTlsPolicyWrites(
  store: GatewayStore, reports: readonly BackendTlsPolicyReport[], controllerName: string, now: string, write: Write,
): (() => Promise<void>)[] {
  const reported = new Map(reports.map((r) => [`${r.ref.namespace}/${r.ref.name}`, r]));
  const writes: (() => Promise<void>)[] = [];
  for (const policy of store.allBackendTlsPolicies()) {
    const ancestors = desiredAncestors(policy, reported.get(`${policy.namespace}/${policy.name}`), controllerName, now);
    if (ancestors === undefined) continue;
    const object = `${policy.namespace}/${policy.name}`;
    writes.push(async () => {
      // Noted before the PATCH, whose echo may come first: the echo is then no news.
      store.noteOurAncestors(policy, ancestors.filter((a) => a.controllerName === controllerName));
      const ok = await write(`${API}/namespaces/${policy.namespace}/backendtlspolicies/${policy.name}/status`, { status: { ancestors } }, object);
      if (!ok) store.forgetOurAncestors(policy);
    });
  }
  return writes;
}

/** The policy's status.ancestors to write, or undefined when it already says that. */
export function desiredAncestors(
  policy: BackendTlsPolicyObject, report: BackendTlsPolicyReport | undefined, controllerName: string, now: string,
): PolicyAncestorStatus[] | undefined {
  const others = policy.statusAncestors.filter((a) => a.controllerName !== controllerName);
  const ours = policy.statusAncestors.filter((a) => a.controllerName === controllerName);
  const room = Math.max(0, MAX_ANCESTORS - others.length);
  const desired: PolicyAncestorStatus[] = (report?.ancestors ?? []).slice(0, room).map((a) => {
    const before = ours.find((o) => sameAncestor(o.ancestorRef, a.ancestorRef));
    return { ancestorRef: a.ancestorRef, controllerName, conditions: toConditions(a.conditions, before?.conditions ?? [], policy.generation, now) };
  });
  const unchanged = desired.length === ours.length && desired.every((d, i) => {
    const o = ours[i];
    return o !== undefined && sameAncestor(o.ancestorRef, d.ancestorRef) && sameConditions(o.conditions, d.conditions);
  });
  return unchanged ? undefined : [...others, ...desired];
}

function sameAncestor(a: ParentRef, b: ParentRef): boolean {
  return a.group === b.group && a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') &&
    (a.sectionName ?? '') === (b.sectionName ?? '') && a.port === b.port;
}
