// Resolves conflicts: when several routes claim the same (host, pathType, path) — or several
// Ingresses set spec.defaultBackend — the oldest Ingress wins (creationTimestamp, then
// namespace/name) and, within one Ingress, the first. Every loser is reported, naming the winner.
// Runs after backend resolution, so a route whose backend is unusable never blocks a valid one.
//
// Each route key keeps its claims in precedence order between builds (a RouteGroup); a build
// enters the claims of added Ingresses, withdraws those of removed ones, and settles only the
// groups whose claims changed.
import type { BuildState, Claim, RouteGroup } from '../state.ts';
import type { UpstreamSlot } from '../engine.ts';
import type { Diagnostic } from '../types.ts';
import { clearDiagnostics, setDiagnostics } from '../state.ts';
import { compareStrings } from '../compare.ts';
import { diagnostic } from '../diagnostics.ts';
import { insertSorted, removeItem } from '../sorted-keys.ts';
import { addGroup, dropGroup } from '../route-groups.ts';
import { claimsOf } from './backends.ts';
import { conflictMessage } from './conflict-message.ts';

export function conflictProcessor(state: BuildState): void {
  const { groups } = state.engine;
  for (const entry of state.removed) {
    for (const claim of claimsOf(entry).items) {
      const group = groups.get(claim.routeKey);
      if (group !== undefined && removeItem(group.claims, claim)) changed(state, group);
    }
  }
  for (const entry of state.added) {
    for (const claim of claimsOf(entry).items) {
      const group = groups.get(claim.routeKey) ?? addGroup(state, claim);
      insertSorted(group.claims, claim, byPrecedence);
      changed(state, group);
    }
  }
  for (const group of state.reclaimed) settle(state, group);
}

/** Oldest Ingress first, then namespace/name (both in the precedence key), then position. */
function byPrecedence(a: Claim, b: Claim): number {
  return compareStrings(a.entry.precedence, b.entry.precedence) || a.order - b.order;
}

function changed(state: BuildState, group: RouteGroup): void {
  state.reclaimed.add(group);
  state.touched.add(group);
}

function settle(state: BuildState, group: RouteGroup): void {
  const winner = group.claims[0];
  if (winner === undefined) {
    if (group.winnerSlot !== undefined) releaseWinner(state, group.winnerSlot);
    group.winner = undefined;
    group.winnerSlot = undefined;
    clearDiagnostics(state, group);
    dropGroup(state, group);
    return;
  }
  if (winner !== group.winner) {
    const slot = state.engine.upstreams.get(winner.upstreamKey);
    if (slot !== group.winnerSlot) {
      if (slot !== undefined) holdWinner(state, slot);
      if (group.winnerSlot !== undefined) releaseWinner(state, group.winnerSlot);
    }
    group.winner = winner;
    group.winnerSlot = slot;
  }
  setDiagnostics(state, group, losers(group.claims, winner));
}

function losers(claims: readonly Claim[], winner: Claim): Diagnostic[] {
  return claims.slice(1).map((loser) => diagnostic(loser.ingress, 'Conflict', conflictMessage(loser, winner)));
}

/** The table lists an upstream while some route wins it. */
function holdWinner(state: BuildState, slot: UpstreamSlot): void {
  slot.winners += 1;
  if (slot.winners > 1) return;
  state.engine.winnerKeys.insert(slot.key);
  state.upstreamChanges.add(slot.key);
}

function releaseWinner(state: BuildState, slot: UpstreamSlot): void {
  slot.winners -= 1;
  if (slot.winners > 0) return;
  state.engine.winnerKeys.remove(slot.key);
  state.upstreamChanges.add(slot.key);
}
