// Resolves conflicts: when several routes claim the same (host, pathType, path) — or several
// Ingresses set spec.defaultBackend — the oldest Ingress wins (creationTimestamp, then
// namespace/name) and, within one Ingress, the first. Every loser is reported, naming the winner.
// Runs after backend resolution, so a route whose backend is unusable never blocks a valid one.
import type { BuildState, ResolvedRoute } from '../state.ts';
import { report } from '../state.ts';
import { compareRefs, compareStrings } from '../compare.ts';
import { conflictMessage } from './conflict-message.ts';

export function conflictProcessor(state: BuildState): void {
  const winners = new Map<string, ResolvedRoute>();
  for (const route of [...state.routes].sort(comparePrecedence)) {
    const key = [route.level, route.host, route.pathType, route.path].join('\n');
    const winner = winners.get(key);
    if (winner === undefined) {
      winners.set(key, route);
    } else {
      report(state, route.ingress, 'Conflict', conflictMessage(route, winner));
    }
  }
  state.winners = [...winners.values()];
}

function comparePrecedence(a: ResolvedRoute, b: ResolvedRoute): number {
  return (
    compareStrings(a.ingress.creationTimestamp, b.ingress.creationTimestamp) ||
    compareRefs(a.ingress, b.ingress) ||
    a.order - b.order
  );
}
