// Resolves conflicts: when several routes claim the same (host, pathType, path) — or several
// Ingresses set spec.defaultBackend — the oldest Ingress wins (creationTimestamp, then
// namespace/name) and, within one Ingress, the first. Every loser is reported, naming the winner.
// Runs after backend resolution, so a route whose backend is unusable never blocks a valid one.
import type { BuildState, ResolvedRoute } from '../state.ts';
import { report } from '../state.ts';
import { compareStrings, precedenceKey } from '../compare.ts';
import { conflictMessage } from './conflict-message.ts';

export function conflictProcessor(state: BuildState): void {
  const winners = new Map<string, ResolvedRoute>();
  for (const route of sortByPrecedence(state.routes)) {
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

/** Oldest Ingress first, then namespace/name, then position; the key is computed once per route. */
function sortByPrecedence(routes: readonly ResolvedRoute[]): ResolvedRoute[] {
  const keyed = routes.map((route) => ({ route, key: precedenceKey(route.ingress) }));
  keyed.sort((a, b) => compareStrings(a.key, b.key) || a.route.order - b.route.order);
  return keyed.map((k) => k.route);
}
