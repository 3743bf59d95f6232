// Which listeners a route attaches to, through each of its parentRefs, and the parent status that
// follows: Accepted, or why not (NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname).
// A parentRef to a Gateway reaches the Gateway's own listeners; one to a ListenerSet (kind
// ListenerSet) reaches that ListenerSet's listeners only.
import type { GatewayApiSnapshot, ParentRef, RouteObject } from '../../snapshot/gateway-model.ts';
import { refKey } from '../../snapshot/model.ts';
import { effectiveHostnames, under } from './hostnames.ts';
import { selectsNamespace } from './label-selector.ts';
import type { ListenerSetEntry } from './listener-sets.ts';
import { GATEWAY_GROUP, type GatewayState, type ListenerState } from './listeners.ts';
import { condition, type ConditionSpec } from './report.ts';

export interface Attachment {
  readonly listener: ListenerState;
  /** Where the route is served on this listener ("" for every host). */
  readonly hostnames: readonly string[];
}

export interface ParentResult {
  readonly parentRef: ParentRef;
  readonly accepted: ConditionSpec;
  readonly attachments: readonly Attachment[];
}

/** The parents a route may name: Gateways of ours and the ListenerSets naming them, by "Kind:ns/name". */
export type RouteParents = ReadonlyMap<string, { readonly gateway: GatewayState; readonly listenerSet?: ListenerSetEntry }>;

export function routeParents(gateways: readonly GatewayState[]): RouteParents {
  const out = new Map<string, { gateway: GatewayState; listenerSet?: ListenerSetEntry }>();
  for (const gateway of gateways) {
    out.set(`Gateway:${refKey(gateway.gateway)}`, { gateway });
    for (const listenerSet of gateway.listenerSets) out.set(`ListenerSet:${refKey(listenerSet.listenerSet)}`, { gateway, listenerSet });
  }
  return out;
}

/** One result per parentRef naming a Gateway of ours (or a ListenerSet of one); other parents are another controller's business. */
export function attachRoute(route: RouteObject, parents: RouteParents, api: GatewayApiSnapshot): ParentResult[] {
  const results: ParentResult[] = [];
  for (const parentRef of route.parentRefs) {
    if (parentRef.group !== GATEWAY_GROUP || (parentRef.kind !== 'Gateway' && parentRef.kind !== 'ListenerSet')) continue;
    const parent = parents.get(`${parentRef.kind}:${parentRef.namespace ?? route.namespace}/${parentRef.name}`);
    if (parent === undefined) continue;
    if (parent.listenerSet?.refused !== undefined) {
      const why = `the ListenerSet is not accepted by its Gateway (${parent.listenerSet.refused.reason})`;
      results.push({ parentRef, accepted: condition('Accepted', false, 'NotAllowedByListeners', why), attachments: [] });
      continue;
    }
    results.push(attachToGateway(route, parentRef, parent.gateway, parent.listenerSet?.listenerSet, api));
  }
  return results;
}

function attachToGateway(route: RouteObject, parentRef: ParentRef, gateway: GatewayState, listenerSet: ListenerSetEntry['listenerSet'] | undefined, api: GatewayApiSnapshot): ParentResult {
  const named = gateway.listeners.filter((l) => l.listenerSet === listenerSet &&
    (parentRef.sectionName === undefined || l.listener.name === parentRef.sectionName) &&
    (parentRef.port === undefined || l.listener.port === parentRef.port));
  if (named.length === 0) {
    return { parentRef, accepted: condition('Accepted', false, 'NoMatchingParent', 'no listener matches the sectionName and port'), attachments: [] };
  }
  // A listener with unresolved references still takes routes (they count in its attachedRoutes, as
  // the spec asks) though it serves none of them.
  const allowed = named.filter((l) => l.attachable && allows(l, route, api));
  if (allowed.length === 0) {
    return { parentRef, accepted: condition('Accepted', false, 'NotAllowedByListeners', 'no listener allows this route (kind, namespace, or the listener is invalid)'), attachments: [] };
  }
  const attachments: Attachment[] = [];
  for (const listener of allowed) {
    const hostnames = effectiveHostnames(listener.listener.hostname, route.hostnames);
    // Accepted on any intersection; served only where no more specific sibling listener owns the name.
    if (hostnames.length > 0) attachments.push({ listener, hostnames: hostnames.filter((h) => !capturedBySibling(h, listener, gateway.listeners)) });
  }
  if (attachments.length === 0) {
    return { parentRef, accepted: condition('Accepted', false, 'NoMatchingListenerHostname', 'no hostname of the route matches a listener'), attachments };
  }
  return { parentRef, accepted: condition('Accepted', true, 'Accepted'), attachments };
}

/**
 * Listener isolation: a name a route gets through `listener` is left to a sibling listener (same
 * port) whose hostname is more specific and covers it — a request is matched against the routes of
 * the most specific listener for its host only.
 */
function capturedBySibling(name: string, listener: ListenerState, siblings: readonly ListenerState[]): boolean {
  const own = specificity(listener.listener.hostname);
  return siblings.some((s) => {
    const hostname = s.listener.hostname;
    if (s === listener || !s.served || hostname === undefined || s.listener.port !== listener.listener.port) return false;
    if (specificity(hostname) <= own) return false;
    return hostname === name || (hostname.startsWith('*.') && under(name, hostname.slice(2)));
  });
}

/** No hostname < a wildcard (more labels, more specific) < an exact name. */
function specificity(hostname: string | undefined): number {
  if (hostname === undefined) return 0;
  const labels = hostname.split('.').length;
  return hostname.startsWith('*.') ? labels : 1000 + labels;
}

function allows(state: ListenerState, route: RouteObject, api: GatewayApiSnapshot): boolean {
  if (!state.supportedKinds.some((k) => k.kind === route.kind)) return false;
  const { listener } = state;
  // "Same" is the namespace of the object the listener is written in.
  const home = (state.listenerSet ?? state.gateway).namespace;
  switch (listener.allowedFrom) {
    case 'All': return true;
    case 'Same': return route.namespace === home;
    case 'Selector': return selectsNamespace(listener.allowedSelector, api.namespaceLabels?.(route.namespace));
    default: return false;
  }
}
