// What the Gateway API build says about each object, for status/ to write: plain data computed with
// the table (no clock: lastTransitionTime is the writer's business).
import type { ObjectRef } from '../../snapshot/model.ts';
import type { ParentRef, RouteKindRef } from '../../snapshot/gateway-model.ts';

export interface ConditionSpec {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

export interface ListenerReport {
  readonly name: string;
  readonly supportedKinds: readonly RouteKindRef[];
  readonly attachedRoutes: number;
  readonly conditions: readonly ConditionSpec[];
}

export interface GatewayReport {
  /** The Gateway's own address (--gateway-addresses), or [] when none was left; unset: the published addresses. */
  readonly addresses?: readonly string[];
  readonly ref: ObjectRef;
  readonly generation: number;
  readonly conditions: readonly ConditionSpec[];
  /** Its own listeners (not its ListenerSets'). */
  readonly listeners: readonly ListenerReport[];
  /** How many ListenerSets it took and accepted; unset when its spec.allowedListeners is. */
  readonly attachedListenerSets?: number;
}

/** A ListenerSet naming a Gateway of ours: Accepted, Programmed, and its listeners when admitted. */
export interface ListenerSetReport {
  readonly ref: ObjectRef;
  readonly generation: number;
  readonly conditions: readonly ConditionSpec[];
  readonly listeners: readonly ListenerReport[];
}

export interface RouteParentReport {
  readonly parentRef: ParentRef;
  readonly conditions: readonly ConditionSpec[];
}

export interface RouteReport {
  readonly kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute';
  readonly ref: ObjectRef;
  readonly generation: number;
  /** One per parentRef that names a Gateway of ours (or a ListenerSet of one), in spec order. */
  readonly parents: readonly RouteParentReport[];
}

export interface GatewayClassReport {
  readonly name: string;
  readonly generation: number;
  readonly conditions: readonly ConditionSpec[];
}

export interface PolicyAncestorReport {
  readonly ancestorRef: ParentRef;
  readonly conditions: readonly ConditionSpec[];
}

/** A BackendTLSPolicy some route of ours reaches a target through (or would, but for a conflict). */
export interface BackendTlsPolicyReport {
  readonly ref: ObjectRef;
  readonly generation: number;
  /** One per Gateway whose routes send requests to the policy's targets, sorted. */
  readonly ancestors: readonly PolicyAncestorReport[];
}

/** Everything the Gateway API build reports; sorted by kind, namespace and name. */
export interface GatewayApiReport {
  readonly classes: readonly GatewayClassReport[];
  readonly gateways: readonly GatewayReport[];
  readonly listenerSets: readonly ListenerSetReport[];
  readonly routes: readonly RouteReport[];
  readonly backendTlsPolicies: readonly BackendTlsPolicyReport[];
  /** Routes that lost a (host, path, conditions) to another route, Ingress or Gateway API: one line each. */
  readonly conflicts: readonly string[];
}

export const condition = (type: string, ok: boolean, reason: string, message = ''): ConditionSpec =>
  ({ type, status: ok ? 'True' : 'False', reason, message });
