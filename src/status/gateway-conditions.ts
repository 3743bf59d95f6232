// Conditions as the API holds them, from what the build reports: lastTransitionTime kept while a
// condition's status stays the same, observedGeneration the object's generation.
import type { Condition } from '../snapshot/gateway-model.ts';
import type { ConditionSpec } from '../routing/gateway/report.ts';

export function toConditions(specs: readonly ConditionSpec[], current: readonly Condition[], generation: number, now: string): Condition[] {
  return specs.map((c) => {
    const before = current.find((x) => x.type === c.type);
    const lastTransitionTime = before !== undefined && before.status === c.status && before.lastTransitionTime !== '' ? before.lastTransitionTime : now;
    return { ...c, observedGeneration: generation, lastTransitionTime };
  });
}

/** Equal but for lastTransitionTime (which toConditions keeps when nothing else changed). */
export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  return a.length === b.length && a.every((c, i) => {
    const d = b[i];
    return d !== undefined && c.type === d.type && c.status === d.status && c.reason === d.reason &&
      c.message === d.message && c.observedGeneration === d.observedGeneration;
  });
}
