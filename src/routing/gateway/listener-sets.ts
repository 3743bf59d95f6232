// ListenerSets: more listeners for a Gateway of ours. A ListenerSet joins its parent Gateway when
// the Gateway's spec.allowedListeners admits its namespace (none by default); its listeners then
// compile with the Gateway's own (listeners.ts), after them in the spec's precedence: the
// Gateway's listeners, then ListenerSets oldest first, then by namespace/name. This file says which
// ListenerSets join which Gateway, and what their status is.
import type { GatewayApiSnapshot, GatewayObject, ListenerSetObject } from '../../snapshot/gateway-model.ts';
import { refKey } from '../../snapshot/model.ts';
import { compareStrings } from '../compare.ts';
import { selectsNamespace } from './label-selector.ts';
import type { GatewayState, ListenerState } from './listeners.ts';
import { condition, type ConditionSpec, type ListenerSetReport } from './report.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** A ListenerSet naming a Gateway of ours, and whether the Gateway took it. */
export interface ListenerSetEntry {
  readonly listenerSet: ListenerSetObject;
  /** Undefined when admitted; else why not (NotAllowed, ParentNotAccepted). */
  readonly refused: { readonly reason: string; readonly message: string } | undefined;
}

/** ListenerSets by their parent Gateway ("ns/name"), each list in precedence order. */
export function listenerSetsByParent(api: GatewayApiSnapshot): ReadonlyMap<string, readonly ListenerSetObject[]> {
  const out = new Map<string, ListenerSetObject[]>();
  for (const ls of api.listenerSets ?? []) {
    const { group, kind, name, namespace } = ls.parentRef;
    if (group !== GATEWAY_GROUP || kind !== 'Gateway') continue;
    const key = `${namespace ?? ls.namespace}/${name}`;
    const list = out.get(key);
    if (list === undefined) out.set(key, [ls]);
    else list.push(ls);
  }
  for (const list of out.values()) list.sort(byPrecedence);
  return out;
}

/** Oldest first, then namespace/name. */
function byPrecedence(a: ListenerSetObject, b: ListenerSetObject): number {
  return compareStrings(a.creationTimestamp, b.creationTimestamp) || compareStrings(refKey(a), refKey(b));
}

/**
 * Whether `gateway` takes `ls`: its allowedListeners must admit the ListenerSet's namespace, and
 * the Gateway itself must be accepted (some listener of its own is).
 */
export function admission(gateway: GatewayObject, parentAccepted: boolean, ls: ListenerSetObject, api: GatewayApiSnapshot): ListenerSetEntry {
  if (!admits(gateway, ls, api)) {
    return { listenerSet: ls, refused: { reason: 'NotAllowed', message: `Gateway ${refKey(gateway)} does not allow ListenerSets from namespace "${ls.namespace}" (spec.allowedListeners)` } };
  }
  if (!parentAccepted) return { listenerSet: ls, refused: { reason: 'ParentNotAccepted', message: `Gateway ${refKey(gateway)} is not accepted` } };
  return { listenerSet: ls, refused: undefined };
}

function admits(gateway: GatewayObject, ls: ListenerSetObject, api: GatewayApiSnapshot): boolean {
  const allowed = gateway.allowedListeners;
  switch (allowed?.from) {
    case 'All': return true;
    case 'Same': return ls.namespace === gateway.namespace;
    case 'Selector': return selectsNamespace(allowed.selector, api.namespaceLabels?.(ls.namespace));
    default: return false;
  }
}

/** Every ListenerSet naming a Gateway of ours: admitted ones with their listeners' status, refused ones with why. */
export function listenerSetReports(gateways: readonly GatewayState[]): ListenerSetReport[] {
  const out: ListenerSetReport[] = [];
  for (const g of gateways) {
    for (const entry of g.listenerSets) {
      const listeners = g.listeners.filter((l) => l.listenerSet === entry.listenerSet);
      const { namespace, name, generation } = entry.listenerSet;
      out.push({
        ref: { namespace, name }, generation, conditions: listenerSetConditions(entry, listeners),
        listeners: listeners.map((l) => ({ name: l.listener.name, supportedKinds: l.supportedKinds, attachedRoutes: l.attachedRoutes, conditions: l.conditions })),
      });
    }
  }
  return out.sort((a, b) => compareStrings(refKey(a.ref), refKey(b.ref)));
}

/** Accepted and Programmed: refused, or none of its listeners served, is False; some not served is Accepted with ListenersNotValid. */
function listenerSetConditions(entry: ListenerSetEntry, listeners: readonly ListenerState[]): ConditionSpec[] {
  const { refused } = entry;
  if (refused !== undefined) return [condition('Accepted', false, refused.reason, refused.message), condition('Programmed', false, refused.reason, refused.message)];
  const served = listeners.filter((l) => l.served).length;
  const notValid = `${String(listeners.length - served)} of ${String(listeners.length)} listeners are not served`;
  if (served === 0) return [condition('Accepted', false, 'ListenersNotValid', notValid), condition('Programmed', false, 'ListenersNotValid', notValid)];
  const accepted = served === listeners.length ? condition('Accepted', true, 'Accepted') : condition('Accepted', true, 'ListenersNotValid', notValid);
  return [accepted, condition('Programmed', true, 'Programmed')];
}

/** How many ListenerSets the Gateway took and accepted (status.attachedListenerSets). */
export function attachedListenerSets(state: GatewayState): number {
  return state.listenerSets.filter((e) => e.refused === undefined && state.listeners.some((l) => l.listenerSet === e.listenerSet && l.served)).length;
}
