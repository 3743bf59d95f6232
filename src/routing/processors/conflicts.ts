// Resolves conflicts: when several routes claim the same (host, pathType, path) — or several
// Ingresses set spec.defaultBackend — the oldest Ingress wins (creationTimestamp, then
// namespace/name) and, within one Ingress, the first. Every loser is reported, naming the winner.
// Runs after backend resolution, so a route whose backend is unusable never blocks a valid one.
//
// Each route (level, host, pathType, path) keeps its claims in precedence order between builds (a
// RouteGroup, route-groups.ts); a build enters the claims of added Ingresses, withdraws those of
// removed ones, and settles only the groups whose claims changed.
import type { BuildState, Claim, RouteGroup } from '../state.ts';
import type { UpstreamSlot } from '../engine.ts';
import type { Diagnostic } from '../types.ts';
import { clearDiagnostics, reclaim, setDiagnostics } from '../state.ts';
import { compareStrings } from '../compare.ts';
import { diagnostic } from '../diagnostics.ts';
import { insertSorted, removeItem } from '../sorted-keys.ts';
import { addGroup, dropGroup, findGroup } from '../route-groups.ts';
import { claimsOf } from './backends.ts';
import { conflictMessage } from './conflict-message.ts';

export function conflictProcessor(state: BuildState): void {
  for (const entry of state.removed) {
    for (const claim of claimsOf(entry).items) {
      const group = findGroup(state.engine, claim);
      if (group !== undefined && removeItem(group.claims, claim)) reclaim(state, group);
    }
  }
  for (const entry of state.added) {
    for (const claim of claimsOf(entry).items) {
      const group = findGroup(state.engine, claim);
      if (group === undefined) reclaim(state, addGroup(state, claim));
      else {
        insertSorted(group.claims, claim, byPrecedence);
        reclaim(state, group);
      }
    }
  }
  const { reclaimed } = state;
  for (let i = 0; i < reclaimed.length; i++) settle(state, reclaimed[i] as RouteGroup);
}

/** Oldest Ingress first, then namespace/name (both in the precedence key), then position. */
function byPrecedence(a: Claim, b: Claim): number {
  return compareStrings(a.entry.precedence, b.entry.precedence) || a.order - b.order;
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

const NO_CONFLICTS: readonly Diagnostic[] = [];

function losers(claims: readonly Claim[], winner: Claim): readonly Diagnostic[] {
  if (claims.length < 2) return NO_CONFLICTS;
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
