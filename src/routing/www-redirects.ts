// nginx's from-to-www-redirect: for each exact host of an Ingress that sets it, its twin ("www."
// added or taken away) redirects there, unless the twin has routes of its own (the data plane asks
// the table's hosts first). Two Ingresses wanting the same twin: the first served (by namespace/name).
import type { Engine } from './engine.ts';
import { compareStrings } from './compare.ts';

export function refreshWwwRedirects(engine: Engine): void {
  const next = new Map<string, string>();
  for (const entry of engine.served) {
    if (entry.options?.wwwRedirect !== true) continue;
    for (const rule of entry.ingress.rules) {
      const host = rule.host?.toLowerCase();
      if (host === undefined || !/^[a-z0-9][a-z0-9.-]*$/.test(host)) continue;
      const twin = host.startsWith('www.') ? host.slice('www.'.length) : `www.${host}`;
      if (!next.has(twin)) next.set(twin, host);
    }
  }
  const sorted = new Map([...next].sort(([a], [b]) => compareStrings(a, b)));
  if (!sameEntries(sorted, engine.wwwRedirects)) engine.wwwRedirects = sorted;
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
