// Validates hosts and paths and turns each (rule, path) — and spec.defaultBackend — into a route
// candidate. An invalid host skips its rule, an invalid path skips that path; the rest still serves.
import type { IngressObject, IngressRule } from '../../snapshot/model.ts';
import type { BuildState, RouteCandidate } from '../state.ts';
import { report } from '../state.ts';
import { compileHost } from '../host.ts';
import { compilePath } from '../path.ts';

export function rulesProcessor(state: BuildState): void {
  state.candidates = state.ingresses.flatMap((ingress) => compileIngress(state, ingress));
}

function compileIngress(state: BuildState, ingress: IngressObject): RouteCandidate[] {
  const candidates: RouteCandidate[] = [];
  if (ingress.defaultBackend !== undefined) {
    candidates.push({
      ingress,
      where: 'defaultBackend',
      order: 0,
      level: 'default',
      host: '',
      pathType: 'Prefix',
      path: '/',
      backend: ingress.defaultBackend,
    });
  }
  ingress.rules.forEach((rule, index) => {
    compileRule(state, ingress, rule, index, candidates);
  });
  return candidates;
}

function compileRule(
  state: BuildState,
  ingress: IngressObject,
  rule: IngressRule,
  ruleIndex: number,
  into: RouteCandidate[],
): void {
  const host = compileHost(rule.host);
  if (!host.ok) {
    report(state, ingress, 'InvalidHost', `rule ${ruleIndex}: ${host.problem}`);
    return;
  }
  rule.paths.forEach((httpPath, pathIndex) => {
    const where = `rule ${ruleIndex} path ${pathIndex}`;
    const path = compilePath(httpPath.path, httpPath.pathType);
    if (!path.ok) {
      report(state, ingress, path.reason, `${where}: ${path.problem}`);
      return;
    }
    into.push({
      ingress,
      where,
      order: into.length,
      level: host.level,
      host: host.host,
      pathType: path.pathType,
      path: path.path,
      backend: httpPath.backend,
    });
  });
}
