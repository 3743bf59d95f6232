// Resolves conflicts: when several routes claim the same (host, pathType, path) — or several
// Ingresses set spec.defaultBackend — the oldest Ingress wins (creationTimestamp, then
// namespace/name) and, within one Ingress, the first. Every loser is reported, naming the winner.
// Claims of nginx canary Ingresses do not compete: the first one becomes the route's canary while a
// main claim wins; without one they are not served (CanaryWithoutMain), as in ingress-nginx.
// Runs after backend resolution, so a route whose backend is unusable never blocks a valid one.
//
// Each route (level, host, pathType, path) keeps its claims in precedence order between builds (a
// RouteGroup, route-groups.ts); a build enters the claims of added Ingresses, withdraws those of
// removed ones, and settles only the groups whose claims changed.
import type { BuildState, Claim, RouteGroup } from '../state.ts';
import type { UpstreamSlot } from '../engine.ts';
import type { Diagnostic } from '../types.ts';
import { clearDiagnostics, markDirty, reclaim, setDiagnostics } from '../state.ts';
import { isCanaryIngress } from '../nginx/canary.ts';
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
  const winner = group.claims.find((claim) => !isCanary(claim));
  const canary = winner === undefined ? undefined : group.claims.find(isCanary);
  group.canarySlot = switchSlot(state, group.canarySlot, canary?.upstreamKey);
  group.canary = canary;
  if (winner === undefined) {
    if (group.winnerSlot !== undefined) releaseWinner(state, group.winnerSlot);
    if (group.fallbackSlot !== undefined) releaseWinner(state, group.fallbackSlot);
    group.winner = undefined;
    group.winnerSlot = undefined;
    group.fallbackSlot = undefined;
    if (group.claims.length === 0) {
      clearDiagnostics(state, group);
      dropGroup(state, group);
      return;
    }
    // Only canaries claim the route: as in ingress-nginx, they are not served on their own.
    setDiagnostics(state, group, group.claims.map((c) => diagnostic(c.ingress, 'CanaryWithoutMain', canaryMessage(c, undefined))));
    dropRoute(state, group);
    return;
  }
  if (winner !== group.winner) {
    group.winnerSlot = switchSlot(state, group.winnerSlot, winner.upstreamKey);
    group.fallbackSlot = switchSlot(state, group.fallbackSlot, winner.fallback?.key);
    group.winner = winner;
  }
  setDiagnostics(state, group, losers(group.claims, winner, canary));
}

/** The group keeps its claims but has no route; its host is assembled again (it may have none left). */
function dropRoute(state: BuildState, group: RouteGroup): void {
  group.route = undefined;
  markDirty(state, group.host);
}

/** Holds the upstream slot of `key` (none: undefined) and releases the old one (the table lists held upstreams). */
function switchSlot(state: BuildState, held: UpstreamSlot | undefined, key: string | undefined): UpstreamSlot | undefined {
  const slot = key === undefined ? undefined : state.engine.upstreams.get(key);
  if (slot === held) return held;
  if (slot !== undefined) holdWinner(state, slot);
  if (held !== undefined) releaseWinner(state, held);
  return slot;
}

function isCanary(claim: Claim): boolean {
  return isCanaryIngress(claim.ingress);
}

function canaryMessage(claim: Claim, canary: Claim | undefined): string {
  const where = `${claim.where} (host "${claim.host}", path "${claim.path}")`;
  if (canary === undefined) return `${where}: a canary Ingress needs a main Ingress for the same host and path; it is not served`;
  return `${where}: canary Ingress ${canary.ingress.namespace}/${canary.ingress.name} is already the canary of this route; only one is used`;
}

const NO_CONFLICTS: readonly Diagnostic[] = [];

function losers(claims: readonly Claim[], winner: Claim, canary: Claim | undefined): readonly Diagnostic[] {
  if (claims.length < 2) return NO_CONFLICTS;
  const out: Diagnostic[] = [];
  for (const claim of claims) {
    if (claim === winner || claim === canary) continue;
    out.push(isCanary(claim)
      ? diagnostic(claim.ingress, 'CanaryWithoutMain', canaryMessage(claim, canary))
      : diagnostic(claim.ingress, 'Conflict', conflictMessage(claim, winner)));
  }
  return out.length === 0 ? NO_CONFLICTS : out;
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
