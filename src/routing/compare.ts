// Total orders used to sort everything routing/ outputs, so the same input gives the same table.
// Plain code-unit comparison, never localeCompare: the result must not depend on the host's locale.
import type { ObjectRef } from '../snapshot/model.ts';

export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

export function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name);
}

/**
 * Precedence between Ingresses that claim the same thing (a route, a TLS host): the oldest wins,
 * then namespace/name. Sorting by this key (compareStrings) gives that order; compute it once each.
 */
export function precedenceKey(ingress: { readonly creationTimestamp: string } & ObjectRef): string {
  return `${ingress.creationTimestamp}\n${ingress.namespace}\n${ingress.name}`;
}
