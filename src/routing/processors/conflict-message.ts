// The words of a 'Conflict' diagnostic: what was claimed twice, by whom, and why the other won.
import type { IngressObject } from '../../snapshot/model.ts';
import type { RouteCandidate } from '../state.ts';
import { refKey } from '../../snapshot/model.ts';

export function conflictMessage(loser: RouteCandidate, winner: RouteCandidate): string {
  const other = `Ingress "${refKey(winner.ingress)}"`;
  const why = precedenceReason(loser.ingress, winner.ingress);
  if (loser.level === 'default') {
    return `defaultBackend: ${other} also sets a default backend and takes precedence (${why})`;
  }
  const claim = `${loser.pathType} path "${loser.path}" ${onHost(loser)}`;
  if (refKey(loser.ingress) === refKey(winner.ingress)) {
    return `${loser.where}: ${claim} duplicates ${winner.where}, which is used instead`;
  }
  return `${loser.where}: ${claim} is also defined by ${other}, which takes precedence (${why})`;
}

function onHost(route: RouteCandidate): string {
  return route.level === 'any' ? 'for any host' : `on host "${route.host}"`;
}

/** Why `winner` takes precedence over `loser` (see precedenceKey in compare.ts). */
export function precedenceReason(loser: IngressObject, winner: IngressObject): string {
  return winner.creationTimestamp < loser.creationTimestamp
    ? 'it is older'
    : 'same creation time; its namespace/name sorts first';
}
