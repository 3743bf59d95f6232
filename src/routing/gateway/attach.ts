// Which listeners a route attaches to, through each of its parentRefs, and the parent status that
// follows: Accepted, or why not (NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname).
import type { GatewayApiSnapshot, LabelSelectorRequirement, LabelSelectorSpec, ParentRef, RouteObject } from '../../snapshot/gateway-model.ts';
import { effectiveHostnames } from './hostnames.ts';
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

/** One result per parentRef naming a Gateway of ours; other parents are another controller's business. */
export function attachRoute(route: RouteObject, gateways: ReadonlyMap<string, GatewayState>, api: GatewayApiSnapshot): ParentResult[] {
  const results: ParentResult[] = [];
  for (const parentRef of route.parentRefs) {
    if (parentRef.group !== GATEWAY_GROUP || parentRef.kind !== 'Gateway') continue;
    const gateway = gateways.get(`${parentRef.namespace ?? route.namespace}/${parentRef.name}`);
    if (gateway === undefined) continue;
    results.push(attachToGateway(route, parentRef, gateway, api));
  }
  return results;
}

function attachToGateway(route: RouteObject, parentRef: ParentRef, gateway: GatewayState, api: GatewayApiSnapshot): ParentResult {
  const named = gateway.listeners.filter((l) =>
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
    if (hostnames.length > 0) attachments.push({ listener, hostnames });
  }
  if (attachments.length === 0) {
    return { parentRef, accepted: condition('Accepted', false, 'NoMatchingListenerHostname', 'no hostname of the route matches a listener'), attachments };
  }
  return { parentRef, accepted: condition('Accepted', true, 'Accepted'), attachments };
}

function allows(state: ListenerState, route: RouteObject, api: GatewayApiSnapshot): boolean {
  if (!state.supportedKinds.some((k) => k.kind === route.kind)) return false;
  const { listener, gateway } = state;
  switch (listener.allowedFrom) {
    case 'All': return true;
    case 'Same': return route.namespace === gateway.namespace;
    case 'Selector': return selected(listener.allowedSelector ?? { matchLabels: {}, matchExpressions: [] }, api.namespaceLabels?.(route.namespace));
    default: return false;
  }
}

/** A label selector over the route's namespace; without the namespace's labels nothing is selected. */
function selected(selector: LabelSelectorSpec, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (labels === undefined) return false;
  return Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v)
    && selector.matchExpressions.every((e) => requirementHolds(e, labels));
}

function requirementHolds(e: LabelSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, e.key) ? labels[e.key] : undefined;
  switch (e.operator) {
    case 'In': return value !== undefined && e.values.includes(value);
    case 'NotIn': return value === undefined || !e.values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    default: return false;
  }
}
