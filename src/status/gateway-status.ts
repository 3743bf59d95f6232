// Writes Gateway API status from the build's report (routing/gateway/report.ts): GatewayClass
// Accepted; Gateway Accepted/Programmed/ResolvedRefs, addresses, attachedListenerSets and
// per-listener conditions; ListenerSets' (listener-set-status.ts);
// route parents (route-status.ts) and BackendTLSPolicy ancestors (backend-tls-policy-status.ts),
// lists shared with other controllers and written read-modify-write (shared-list-write.ts). Only
// the status leader calls this; each object is written only when its status differs, and a failed
// write is logged and retried on the next sync.
import { isDeepStrictEqual } from 'node:util';
import type { GatewayApiReport, GatewayReport } from '../routing/gateway/report.ts';
import type { Condition, GatewayObject } from '../snapshot/gateway-model.ts';
import type { GatewayStore } from '../snapshot/gateway-store.ts';
import type { LoadBalancerIngress } from '../snapshot/model.ts';
import { backendTlsPolicyWrites } from './backend-tls-policy-status.ts';
import { allBounded } from './bounded.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';
import { listenerSetStatusWrites } from './listener-set-status.ts';
import { listenersOf, sameListeners } from './listener-status.ts';
import { routeStatusWrites, type RouteAgreements } from './route-status.ts';
import type { SharedListDeps } from './shared-list-write.ts';

const API = '/apis/gateway.networking.k8s.io/v1';

export interface GatewayStatusDeps extends SharedListDeps {
  /** RFC 3339, for lastTransitionTime. */
  readonly now: () => string;
  /** Kept from sync to sync by the caller (route-status.ts). */
  readonly agreedRoutes?: RouteAgreements;
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
    if (!sameConditions(conditions, current.conditions)) writes.push(() => write(deps, `${API}/gatewayclasses/${c.name}/status`, { status: { conditions } }, c.name));
  }
  for (const g of report.gateways) {
    const current = store.lookupGateway(g.ref.namespace, g.ref.name);
    const status = current === undefined ? undefined : gatewayStatus(g, current, addresses, now);
    if (status !== undefined) writes.push(() => write(deps, `${API}/namespaces/${g.ref.namespace}/gateways/${g.ref.name}/status`, { status }, `${g.ref.namespace}/${g.ref.name}`));
  }
  writes.push(...listenerSetStatusWrites(store, report.listenerSets, now, (path, status, object) => write(deps, path, { status }, object)));
  writes.push(...routeStatusWrites(deps, store, report.routes, now, deps.agreedRoutes));
  writes.push(...backendTlsPolicyWrites(deps, store, report.backendTlsPolicies, now));
  if (writes.length === 0) return;
  const started = performance.now();
  await allBounded(writes);
  // One line per sync: a line per object is thousands on a fresh leader, each a blocking write
  // to a pipe (stdout); the objects are at debug level, failures at warn.
  deps.log.info('gateway api status synced', { objects: writes.length, seconds: Number(((performance.now() - started) / 1000).toFixed(3)) });
}

/** The Gateway's status to write; undefined when it holds that already. */
function gatewayStatus(g: GatewayReport, current: GatewayObject, shared: readonly LoadBalancerIngress[], now: string) {
  const conditions = toConditions(g.conditions, current.conditions, current.generation, now);
  const listeners = listenersOf(g.listeners, current, now);
  // Its own address (--gateway-addresses), else the addresses every Gateway shares.
  const addresses = g.addresses?.map((value) => ({ type: 'IPAddress', value })) ?? shared.map(toAddress);
  const sameAddresses = isDeepStrictEqual(addresses.map((a) => a.value), current.statusAddresses);
  const sameSets = g.attachedListenerSets === undefined || g.attachedListenerSets === current.attachedListenerSets;
  if (sameAddresses && sameSets && sameConditions(conditions, current.conditions) && sameListeners(listeners, current.listenerStatus)) return undefined;
  return { addresses, conditions, listeners, ...(g.attachedListenerSets === undefined ? {} : { attachedListenerSets: g.attachedListenerSets }) };
}

function toAddress(a: LoadBalancerIngress): { type: string; value: string } {
  return a.ip === undefined ? { type: 'Hostname', value: a.hostname ?? '' } : { type: 'IPAddress', value: a.ip };
}

/**
 * PATCHes a GatewayClass's, Gateway's or ListenerSet's status whole, with no read first: a class names one
 * controller, so their status is ours alone, and our only other writer is a former leader of ours
 * (the next sync repairs what it writes late). Logged on failure, retried on the next sync.
 */
async function write(deps: GatewayStatusDeps, path: string, body: { status: unknown }, object: string): Promise<void> {
  try {
    await deps.client.request('PATCH', path, body);
    deps.metrics.statusWrites.inc({ result: 'success' });
    deps.log.debug('gateway api status updated', { object, path });
  } catch (err: unknown) {
    deps.metrics.statusWrites.inc({ result: 'error' });
    deps.log.warn('gateway api status update failed', { object, path, err });
  }
}

export type { Condition };
