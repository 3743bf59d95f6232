// ListenerSet status from the build's report: Accepted and Programmed, and per listener
// supportedKinds, attachedRoutes and conditions. A ListenerSet naming a Gateway of ours is ours
// alone (its parent names one controller, through its class), so its status is written whole like
// a Gateway's (gateway-status.ts), only when it differs from what the ListenerSet holds.
import type { ListenerSetReport } from '../routing/gateway/report.ts';
import type { GatewayStore } from '../snapshot/gateway-store.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';
import { listenersOf, sameListeners } from './listener-status.ts';

const API = '/apis/gateway.networking.k8s.io/v1';

export type WriteStatus = (path: string, status: unknown, object: string) => Promise<void>;

export function listenerSetStatusWrites(store: GatewayStore, reports: readonly ListenerSetReport[], now: string, write: WriteStatus): (() => Promise<void>)[] {
  const writes: (() => Promise<void>)[] = [];
  for (const r of reports) {
    const { namespace, name } = r.ref;
    const current = store.lookupListenerSet(namespace, name);
    if (current === undefined) continue;
    const conditions = toConditions(r.conditions, current.conditions, current.generation, now);
    const listeners = listenersOf(r.listeners, current, now);
    if (sameConditions(conditions, current.conditions) && sameListeners(listeners, current.listenerStatus)) continue;
    writes.push(() => write(`${API}/namespaces/${namespace}/listenersets/${name}/status`, { conditions, listeners }, `${namespace}/${name}`));
  }
  return writes;
}
