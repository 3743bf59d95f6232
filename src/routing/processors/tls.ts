// TLS: the certificates of the served Ingresses' spec.tls, by host. Each entry's hosts (lower-cased;
// an empty list means the Ingress's own rule hosts) get the Secret `secretName` of the Ingress's
// namespace; "*.example.com" goes to the wildcards under "example.com". A Secret that is missing
// (TLSSecretNotFound) or not a usable kubernetes.io/tls Secret (InvalidTLSSecret) is reported and
// its hosts keep the default certificate, unless another entry covers them; an invalid host is
// reported (InvalidHost). When entries name different Secrets for one host, the oldest Ingress wins
// (as for routes; within one Ingress the first entry) and the others are reported (Conflict). Only
// usable Secrets compete, so a missing or invalid one never blocks a valid one.
import type { IngressObject, IngressTLS } from '../../snapshot/model.ts';
import type { BuildState } from '../state.ts';
import type { DiagnosticReason, TlsCertificate, TlsTable } from '../types.ts';
import type { TlsSecretResult } from '../tls-secret.ts';
import type { TlsClaim } from './tls-message.ts';
import { report } from '../state.ts';
import { compareStrings, precedenceKey } from '../compare.ts';
import { compileHost } from '../host.ts';
import { loadTlsSecret } from '../tls-secret.ts';
import { secretProblemMessage, tlsConflictMessage } from './tls-message.ts';

interface SecretFailure {
  readonly ingress: IngressObject;
  readonly where: string;
  readonly reason: DiagnosticReason;
  readonly problem: string;
  readonly hosts: readonly string[];
}

interface TlsBuild {
  readonly state: BuildState;
  /** By "namespace/name": each Secret is read once, and one certificate object serves all its hosts. */
  readonly secrets: Map<string, TlsSecretResult>;
  /** By host as written ("shop.example.com", "*.example.com"); the first claim wins. */
  readonly claims: Map<string, TlsClaim>;
  /** Reported once every claim is known, to say which hosts keep the default certificate. */
  readonly failures: SecretFailure[];
}

export function tlsProcessor(state: BuildState): void {
  const build: TlsBuild = { state, secrets: new Map(), claims: new Map(), failures: [] };
  for (const ingress of byPrecedence(state.ingresses)) {
    ingress.tls.forEach((entry, index) => {
      addEntry(build, ingress, entry, `tls ${index}`);
    });
  }
  state.tls = toTable(build.claims);
  for (const { ingress, where, reason, problem, hosts } of build.failures) {
    report(state, ingress, reason, secretProblemMessage(where, problem, hosts, state.tls));
  }
}

/** The Ingresses with a spec.tls, oldest first, then by namespace/name. */
function byPrecedence(ingresses: readonly IngressObject[]): IngressObject[] {
  const keyed = ingresses.filter((i) => i.tls.length > 0).map((ingress) => ({ ingress, key: precedenceKey(ingress) }));
  keyed.sort((a, b) => compareStrings(a.key, b.key));
  return keyed.map((k) => k.ingress);
}

function addEntry(build: TlsBuild, ingress: IngressObject, entry: IngressTLS, where: string): void {
  const hosts = entry.hosts.length > 0 ? entryHosts(build.state, ingress, entry.hosts, where) : ruleHosts(ingress);
  if (hosts.length === 0) return;
  const secret = loadSecret(build, ingress.namespace, entry.secretName);
  if (!secret.ok) {
    build.failures.push({ ingress, where, reason: secret.reason, problem: secret.problem, hosts });
    return;
  }
  const claim: TlsClaim = { ingress, where, certificate: secret.certificate };
  for (const host of hosts) {
    const winner = build.claims.get(host);
    if (winner === undefined) build.claims.set(host, claim);
    else if (winner.certificate !== claim.certificate) {
      report(build.state, ingress, 'Conflict', tlsConflictMessage(host, claim, winner));
    }
  }
}

/** The valid hosts of an entry, lower-cased, without duplicates; invalid ones are reported. */
function entryHosts(state: BuildState, ingress: IngressObject, written: readonly string[], where: string): string[] {
  const hosts = new Set<string>();
  for (const name of written) {
    const host = compileHost(name);
    if (!host.ok) report(state, ingress, 'InvalidHost', `${where}: ${host.problem}`);
    else if (host.level === 'any') report(state, ingress, 'InvalidHost', `${where}: a host must not be empty`);
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

function loadSecret(build: TlsBuild, namespace: string, name: string | undefined): TlsSecretResult {
  if (name === undefined || name === '') return loadTlsSecret(build.state.snapshot, namespace, name);
  const key = `${namespace}/${name}`;
  let result = build.secrets.get(key);
  if (result === undefined) {
    result = loadTlsSecret(build.state.snapshot, namespace, name);
    build.secrets.set(key, result);
  }
  return result;
}

/** Sorted by host; "*.example.com" is keyed "example.com" among the wildcards. */
function toTable(claims: ReadonlyMap<string, TlsClaim>): TlsTable {
  const hosts = new Map<string, TlsCertificate>();
  const wildcards = new Map<string, TlsCertificate>();
  for (const [host, { certificate }] of [...claims].sort(([a], [b]) => compareStrings(a, b))) {
    if (host.startsWith('*.')) wildcards.set(host.slice('*.'.length), certificate);
    else hosts.set(host, certificate);
  }
  return { hosts, wildcards };
}
