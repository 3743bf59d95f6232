// The spec.tls entries of one Ingress object, compiled once: each entry's hosts (lower-cased,
// without duplicates; an empty list means the Ingress's own rule hosts) and its Secret. Entries
// left without hosts are dropped; invalid hosts are reported (InvalidHost).
import type { IngressObject } from '../../snapshot/model.ts';
import type { IngressEntry } from '../state.ts';
import type { Compiled, TlsEntry } from '../engine.ts';
import { compiled } from '../engine.ts';
import type { Diagnostic } from '../types.ts';
import { diagnostic } from '../diagnostics.ts';
import { compileHost } from '../host.ts';

/** Most Ingresses have no spec.tls: they share this. */
const NO_TLS: Compiled<TlsEntry> = compiled([], []);

export function tlsOf(entry: IngressEntry): Compiled<TlsEntry> {
  entry.tls ??= entry.ingress.tls.length === 0 ? NO_TLS : compileTls(entry);
  return entry.tls;
}

function compileTls(entry: IngressEntry): Compiled<TlsEntry> {
  const { ingress } = entry;
  const items: TlsEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  ingress.tls.forEach((tls, index) => {
    const where = `tls ${index}`;
    const hosts = tls.hosts.length > 0 ? entryHosts(ingress, tls.hosts, where, diagnostics) : ruleHosts(ingress);
    if (hosts.length === 0) return;
    const name = tls.secretName;
    const secret = name === undefined || name === '' ? undefined : { namespace: ingress.namespace, name };
    const secretKey = secret === undefined ? undefined : `${secret.namespace}/${secret.name}`;
    items.push({ entry, index, where, hosts, secret, secretKey });
  });
  return compiled(items, diagnostics);
}

/** The valid hosts of an entry, lower-cased, without duplicates; invalid ones are reported. */
function entryHosts(ingress: IngressObject, written: readonly string[], where: string, diagnostics: Diagnostic[]): string[] {
  const hosts = new Set<string>();
  for (const name of written) {
    const host = compileHost(name);
    if (!host.ok) diagnostics.push(diagnostic(ingress, 'InvalidHost', `${where}: ${host.problem}`));
    else if (host.level === 'any') diagnostics.push(diagnostic(ingress, 'InvalidHost', `${where}: a host must not be empty`));
    else hosts.add(host.host);
  }
  return [...hosts];
}

/** The valid hosts of the Ingress's rules (the rules processor reports the invalid ones). */
function ruleHosts(ingress: IngressObject): string[] {
  const hosts = new Set<string>();
  for (const rule of ingress.rules) {
    const host = compileHost(rule.host);
    if (host.ok && host.level !== 'any') hosts.add(host.host);
  }
  return [...hosts];
}
