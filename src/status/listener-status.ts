// Listener entries of a Gateway's or a ListenerSet's status, from the build's report: conditions'
// lastTransitionTime kept from what the object holds.
import type { ListenerReport } from '../routing/gateway/report.ts';
import type { ListenerStatus } from '../snapshot/gateway-model.ts';
import { sameConditions, toConditions } from './gateway-conditions.ts';

/** A Gateway's or ListenerSet's listener entries, their conditions' transition times kept from `current`. */
export function listenersOf(reported: readonly ListenerReport[], current: { readonly generation: number; readonly listenerStatus: readonly ListenerStatus[] }, now: string) {
  return reported.map((l) => ({
    name: l.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes,
    conditions: toConditions(l.conditions, current.listenerStatus.find((x) => x.name === l.name)?.conditions ?? [], current.generation, now),
  }));
}

export function sameListeners(a: readonly ListenerStatus[], b: readonly ListenerStatus[]): boolean {
  return a.length === b.length && a.every((l, i) => {
    const m = b[i];
    return m !== undefined && l.name === m.name && l.attachedRoutes === m.attachedRoutes && sameConditions(l.conditions, m.conditions);
  });
}
