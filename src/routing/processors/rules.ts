// Validates hosts and paths and turns each (rule, path) — and spec.defaultBackend — into a route
// candidate. An invalid host skips its rule, an invalid path skips that path; the rest still serves.
// Each Ingress object is compiled once; its problems are reported while it is served.
import type { IngressObject, IngressRule } from '../../snapshot/model.ts';
import type { BuildState, IngressEntry, RouteCandidate } from '../state.ts';
import type { Compiled } from '../engine.ts';
import { compiled } from '../engine.ts';
import type { Diagnostic } from '../types.ts';
import { clearDiagnostics, setDiagnostics } from '../state.ts';
import { diagnostic } from '../diagnostics.ts';
import { compileHost } from '../host.ts';
import { compilePath, type CompiledPath } from '../path.ts';
import { compileRegexPath } from '../regex-path.ts';
import { usesRegexPaths } from '../nginx/read.ts';

export function rulesProcessor(state: BuildState): void {
  for (const entry of state.removed) clearDiagnostics(state, entry.candidates);
  for (const entry of state.added) {
    const candidates = candidatesOf(entry);
    setDiagnostics(state, candidates, candidates.diagnostics);
  }
}

export function candidatesOf(entry: IngressEntry): Compiled<RouteCandidate> {
  entry.candidates ??= compileIngress(entry.ingress);
  return entry.candidates;
}

function compileIngress(ingress: IngressObject): Compiled<RouteCandidate> {
  const items: RouteCandidate[] = [];
  const diagnostics: Diagnostic[] = [];
  if (ingress.defaultBackend !== undefined) {
    items.push({
      ingress,
      where: 'defaultBackend',
      order: 0,
      level: 'default',
      host: '',
      pathType: 'Prefix',
      path: '/',
      pattern: undefined,
      backend: ingress.defaultBackend,
    });
  }
  const regex = usesRegexPaths(ingress);
  ingress.rules.forEach((rule, index) => {
    compileRule(ingress, rule, index, regex, items, diagnostics);
  });
  return compiled(items, diagnostics);
}

function compileRule(
  ingress: IngressObject,
  rule: IngressRule,
  ruleIndex: number,
  regex: boolean,
  into: RouteCandidate[],
  diagnostics: Diagnostic[],
): void {
  const host = compileHost(rule.host);
  if (!host.ok) {
    diagnostics.push(diagnostic(ingress, 'InvalidHost', `rule ${ruleIndex}: ${host.problem}`));
    return;
  }
  rule.paths.forEach((httpPath, pathIndex) => {
    const where = `rule ${ruleIndex} path ${pathIndex}`;
    const path: CompiledPath & { readonly pattern?: RegExp } = regex && httpPath.pathType !== 'Exact' ? regexPath(httpPath.path, httpPath.pathType) : compilePath(httpPath.path, httpPath.pathType);
    if (!path.ok) {
      diagnostics.push(diagnostic(ingress, path.reason, `${where}: ${path.problem}`));
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
      pattern: path.pattern,
      backend: httpPath.backend,
    });
  });
}

/** A Prefix or ImplementationSpecific path of an Ingress with regex paths (pathType still checked). */
function regexPath(written: string | undefined, pathType: string): CompiledPath & { readonly pattern?: RegExp } {
  const checked = compilePath('/', pathType);
  if (!checked.ok) return checked;
  const compiled = compileRegexPath(written);
  return compiled.ok ? { ok: true, pathType: 'Prefix', path: compiled.path, pattern: compiled.pattern } : compiled;
}
