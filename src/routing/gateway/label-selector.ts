// A metav1.LabelSelector over a namespace's labels: listeners' allowedRoutes and Gateways'
// allowedListeners select namespaces this way.
import type { LabelSelectorRequirement, LabelSelectorSpec } from '../../snapshot/gateway-model.ts';

const EMPTY: LabelSelectorSpec = { matchLabels: {}, matchExpressions: [] };

/** Every matchLabels pair and every expression must hold; without the namespace's labels nothing is selected. */
export function selectsNamespace(selector: LabelSelectorSpec | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (labels === undefined) return false;
  const { matchLabels, matchExpressions } = selector ?? EMPTY;
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v) && matchExpressions.every((e) => requirementHolds(e, labels));
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
