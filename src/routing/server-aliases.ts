// nginx server-alias: more names for the first exact host of an Ingress that sets it. A name that
// has routes of its own keeps them (the real host wins, reported); a name two Ingresses want goes
// to the older one (then by namespace/name), the other is reported. Requests for an alias are
// matched against its host's routes (match.ts); TLS needs a certificate naming the alias.
import type { BuildState } from './state.ts';
import type { Engine, IngressEntry } from './engine.ts';
import type { Diagnostic } from './types.ts';
import { compareStrings } from './compare.ts';
import { diagnostic } from './diagnostics.ts';
import { setDiagnostics } from './state.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';

const WHERE = `annotation ${NGINX_PREFIX}server-alias`;
/** The diagnostics source of the aliases (one per engine, as the map of sources is). */
const ALIASES_SOURCE = Object.freeze({ of: 'server-alias' });

export function refreshServerAliases(state: BuildState): void {
  const { engine } = state;
  const next = new Map<string, string>();
  const problems: Diagnostic[] = [];
  const claimants = engine.served.filter((e) => (e.options?.serverAliases.length ?? 0) > 0)
    .sort((a, b) => compareStrings(a.precedence, b.precedence));
  for (const entry of claimants) claimAliases(engine, entry, next, problems);
  setDiagnostics(state, ALIASES_SOURCE, problems);
  const sorted = new Map([...next].sort(([a], [b]) => compareStrings(a, b)));
  if (!sameEntries(sorted, engine.hostAliases)) engine.hostAliases = sorted;
}

function claimAliases(engine: Engine, entry: IngressEntry, next: Map<string, string>, problems: Diagnostic[]): void {
  const host = entry.ingress.rules.map((r) => r.host?.toLowerCase()).find((h) => h !== undefined && h !== '' && !h.startsWith('*.'));
  if (host === undefined) {
    problems.push(diagnostic(entry.ref, 'InvalidAnnotation', `${WHERE}: the Ingress has no rule with an exact host to give aliases to. It is ignored`));
    return;
  }
  for (const alias of entry.options?.serverAliases ?? []) {
    if (alias === host) continue;
    if ((engine.levels.exact.get(alias)?.groups.size ?? 0) > 0) {
      problems.push(diagnostic(entry.ref, 'Conflict', `${WHERE}: "${alias}" has rules of its own, which serve it; the alias is ignored`));
      continue;
    }
    const taken = next.get(alias);
    if (taken !== undefined) {
      problems.push(diagnostic(entry.ref, 'Conflict', `${WHERE}: "${alias}" is already an alias of "${taken}" (an older Ingress); this one is ignored`));
      continue;
    }
    next.set(alias, host);
  }
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
