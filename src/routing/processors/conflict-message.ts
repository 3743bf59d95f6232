// The words of a 'Conflict' diagnostic: what was claimed twice, by whom, and why the other won.
import type { RouteCandidate } from '../state.ts';
import { refKey } from '../../snapshot/model.ts';

export function conflictMessage(loser: RouteCandidate, winner: RouteCandidate): string {
  const other = `Ingress "${refKey(winner.ingress)}"`;
  if (loser.level === 'default') {
    return `defaultBackend: ${other} also sets a default backend and takes precedence (${why(loser, winner)})`;
  }
  const claim = `${loser.pathType} path "${loser.path}" ${onHost(loser)}`;
  if (refKey(loser.ingress) === refKey(winner.ingress)) {
    return `${loser.where}: ${claim} duplicates ${winner.where}, which is used instead`;
  }
  return `${loser.where}: ${claim} is also defined by ${other}, which takes precedence (${why(loser, winner)})`;
}

function onHost(route: RouteCandidate): string {
  return route.level === 'any' ? 'for any host' : `on host "${route.host}"`;
}

function why(loser: RouteCandidate, winner: RouteCandidate): string {
  return winner.ingress.creationTimestamp < loser.ingress.creationTimestamp
    ? 'it is older'
    : 'same creation time; its namespace/name sorts first';
}
