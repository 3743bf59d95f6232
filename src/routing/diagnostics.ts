// Diagnostics: one problem with one Ingress, in words a Kubernetes user can act on.
import type { ObjectRef } from '../snapshot/model.ts';
import type { Diagnostic, DiagnosticReason } from './types.ts';
import { compareRefs, compareStrings } from './compare.ts';

export function diagnostic(ingress: ObjectRef, reason: DiagnosticReason, message: string): Diagnostic {
  return { ingress: { namespace: ingress.namespace, name: ingress.name }, reason, message };
}

/** Sorted by ingress namespace/name, then reason, then message (the order types.ts promises). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareRefs(a.ingress, b.ingress) ||
      compareStrings(a.reason, b.reason) ||
      compareStrings(a.message, b.message),
  );
}

/** Every current diagnostic of every source (state.ts setDiagnostics), sorted. */
export function gatherDiagnostics(sources: ReadonlyMap<object, readonly Diagnostic[]>): Diagnostic[] {
  const all: Diagnostic[] = [];
  for (const diagnostics of sources.values()) all.push(...diagnostics);
  return sortDiagnostics(all);
}
