// TLS: the certificates of the served Ingresses' spec.tls, by host. Each entry's hosts (lower-cased;
// an empty list means the Ingress's own rule hosts) get the Secret `secretName` of the Ingress's
// namespace; "*.example.com" goes to the wildcards under "example.com". A Secret that is missing
// (TLSSecretNotFound) or not a usable kubernetes.io/tls Secret (InvalidTLSSecret) is reported and
// its hosts keep the default certificate, unless another entry covers them; an invalid host is
// reported (InvalidHost). When entries name different Secrets for one host, the oldest Ingress wins
// (as for routes; within one Ingress the first entry) and the others are reported (Conflict). Only
// usable Secrets compete, so a missing or invalid one never blocks a valid one. A winning
// certificate that does not name its host is still served (it is what the user chose) and
// reported (TLSHostNotCovered). nginx auth-tls settles with the host too (../host-client-auth.ts):
// its client-certificate validation travels on the host's certificate.
//
// Incrementally: each TLS host keeps its claiming entries in precedence order (a TlsGroup), each
// Secret its last reading (a SecretSlot, checked against the snapshot every build); only the hosts
// whose claims or Secrets changed are settled again, and the routes of hosts whose certificate came
// or went are marked for their ssl-redirect default.
import type { BuildState, IngressEntry } from '../state.ts';
import type { Engine, SecretSlot, TlsEntry, TlsGroup } from '../engine.ts';
import type { ClientCertificateValidation, ClientValidationsByHost, Diagnostic, TlsCertificate, TlsTable } from '../types.ts';
import type { TlsSecretResult } from '../tls-secret.ts';
import { clearDiagnostics, markCoverage, setDiagnostics } from '../state.ts';
import { compareStrings } from '../compare.ts';
import { diagnostic } from '../diagnostics.ts';
import { insertSorted, nextMap, removeItem } from '../sorted-keys.ts';
import { certificateCovers, loadTlsSecret, NO_SECRET_NAME, sameTlsSecretResult } from '../tls-secret.ts';
import { secretProblemMessage, tlsConflictMessage } from './tls-message.ts';
import { tlsOf } from './tls-entries.ts';
import { withHostSettings } from '../tls-ciphers.ts';
import { hostCiphersOf } from '../nginx/ssl-ciphers.ts';
import { refreshClientCaSecrets, settleClientAuth } from '../host-client-auth.ts';

interface TlsChanges {
  /** Hosts whose claims or Secrets changed. */
  readonly groups: Set<TlsGroup>;
  /** Entries that may have started or stopped failing. */
  readonly entries: Set<TlsEntry>;
  /** Table keys whose certificate changed: exact hosts, and wildcards by suffix. */
  readonly hosts: Set<string>;
  readonly wildcards: Set<string>;
  /** Whether a host's auth-tls without a certificate of its own came, went or changed. */
  validationsOnly: boolean;
}

export function tlsProcessor(state: BuildState): void {
  const changes: TlsChanges = { groups: new Set(), entries: new Set(), hosts: new Set(), wildcards: new Set(), validationsOnly: false };
  for (const entry of state.removed) unlinkEntries(state, entry, changes);
  for (const entry of state.added) linkEntries(state, entry, changes);
  refreshSecrets(state, changes);
  refreshClientCaSecrets(state, changes.groups);
  for (const group of changes.groups) settleGroup(state, group, changes);
  state.tls = nextTlsTable(state.engine, changes);
  const failuresChanged = updateFailing(state.engine, changes.entries, state.context.acme);
  if (failuresChanged || state.tls !== state.engine.table.tls) reportFailures(state);
}

function unlinkEntries(state: BuildState, entry: IngressEntry, changes: TlsChanges): void {
  const { engine } = state;
  clearDiagnostics(state, entry.tls);
  for (const tls of tlsOf(entry).items) {
    if (tls.secretKey !== undefined) engine.secrets.get(tls.secretKey)?.users.delete(tls);
    changes.entries.add(tls);
    for (const host of tls.hosts) {
      const group = engine.tlsGroups.get(host);
      if (group !== undefined && removeItem(group.claims, tls)) changes.groups.add(group);
    }
  }
}

function linkEntries(state: BuildState, entry: IngressEntry, changes: TlsChanges): void {
  const { engine } = state;
  const compiled = tlsOf(entry);
  setDiagnostics(state, compiled, compiled.diagnostics);
  for (const tls of compiled.items) {
    useSecret(engine, tls);
    changes.entries.add(tls);
    for (const host of tls.hosts) {
      const group = engine.tlsGroups.get(host) ?? addTlsGroup(engine, host);
      insertSorted(group.claims, tls, byPrecedence);
      changes.groups.add(group);
    }
  }
}

function notCovered(tls: TlsEntry, host: string, names: readonly string[]): Diagnostic {
  const secret = tls.secret === undefined ? '' : ` of secret "${tls.secret.name}"`;
  return diagnostic(tls.entry.ingress, 'TLSHostNotCovered', `${tls.where}: the certificate${secret} is served for host "${host}" but names ${names.length === 0 ? 'no DNS name' : names.map((n) => `"${n}"`).join(', ')}; clients will reject it`);
}

/** Oldest Ingress first, then namespace/name (both in the precedence key), then position in spec.tls. */
function byPrecedence(a: TlsEntry, b: TlsEntry): number {
  return compareStrings(a.entry.precedence, b.entry.precedence) || a.index - b.index;
}

function addTlsGroup(engine: Engine, host: string): TlsGroup {
  const group: TlsGroup = { host, claims: [], certificate: undefined, clientAuth: undefined, clientCaKey: undefined };
  engine.tlsGroups.set(host, group);
  return group;
}

function useSecret(engine: Engine, tls: TlsEntry): void {
  if (tls.secret === undefined || tls.secretKey === undefined) return;
  let slot = engine.secrets.get(tls.secretKey);
  if (slot === undefined) {
    slot = { namespace: tls.secret.namespace, name: tls.secret.name, users: new Set(), secret: undefined, result: undefined };
    engine.secrets.set(tls.secretKey, slot);
  }
  slot.users.add(tls);
}

/** Drops Secrets nothing names; reads again those the snapshot replaced, and marks their users. */
function refreshSecrets(state: BuildState, changes: TlsChanges): void {
  const { engine } = state;
  for (const [key, slot] of engine.secrets) {
    if (slot.users.size === 0) {
      engine.secrets.delete(key);
      continue;
    }
    if (!refreshSecret(state, slot)) continue;
    for (const tls of slot.users) touchEntry(engine, tls, changes);
  }
}

function refreshSecret(state: BuildState, slot: SecretSlot): boolean {
  const secret = state.snapshot.lookupSecret(slot.namespace, slot.name);
  if (slot.result !== undefined && secret === slot.secret) return false;
  slot.secret = secret;
  const next = loadTlsSecret(secret, slot.namespace, slot.name, state.secretReadings);
  if (slot.result !== undefined && sameTlsSecretResult(slot.result, next)) return false;
  slot.result = next;
  return true;
}

function touchEntry(engine: Engine, tls: TlsEntry, changes: TlsChanges): void {
  changes.entries.add(tls);
  for (const host of tls.hosts) {
    const group = engine.tlsGroups.get(host);
    if (group !== undefined) changes.groups.add(group);
  }
}

function resultOf(engine: Engine, tls: TlsEntry): TlsSecretResult {
  if (tls.secretKey === undefined) return NO_SECRET_NAME;
  return engine.secrets.get(tls.secretKey)?.result ?? NO_SECRET_NAME;
}

/** The first usable claim wins the host; later usable claims naming another Secret are conflicts. */
function settleGroup(state: BuildState, group: TlsGroup, changes: TlsChanges): void {
  const { engine } = state;
  let winner: TlsEntry | undefined;
  let certificate: TlsCertificate | undefined;
  /** The certificate with the winning Ingress's ssl-ciphers, if it sets them, and the host's auth-tls validation. */
  let served: TlsCertificate | undefined;
  const previousAuth = group.clientAuth;
  const conflicts: Diagnostic[] = [...settleClientAuth(state, group)];
  const validation = group.clientAuth?.validation;
  for (const tls of group.claims) {
    const result = resultOf(engine, tls);
    if (!result.ok) continue;
    if (winner === undefined || certificate === undefined) {
      winner = tls;
      certificate = result.certificate;
      served = withHostSettings(engine, certificate, hostCiphersOf(tls.entry.ingress), validation);
      if (!certificateCovers(result.names, group.host)) conflicts.push(notCovered(tls, group.host, result.names));
    } else if (result.certificate !== certificate) {
      const loser = { ingress: tls.entry.ingress, where: tls.where, certificate: result.certificate };
      const message = tlsConflictMessage(group.host, loser, { ingress: winner.entry.ingress, where: winner.where, certificate });
      conflicts.push(diagnostic(loser.ingress, 'Conflict', message));
    }
  }
  setDiagnostics(state, group, conflicts);
  if (group.claims.length === 0) engine.tlsGroups.delete(group.host);
  if (served !== group.certificate) recordCertificate(state, group, served, changes);
  if (group.clientAuth !== previousAuth) clientAuthChanged(state, group.host);
  recordValidationOnly(engine, group, served, changes);
}

/**
 * A host with auth-tls but no certificate in the table (an ACME host, whose certificate the data
 * plane gets apart) keeps its validation in the table anyway, so its handshakes still ask for a
 * client certificate instead of every request failing for want of one.
 */
function recordValidationOnly(engine: Engine, group: TlsGroup, served: TlsCertificate | undefined, changes: TlsChanges): void {
  const validation = served === undefined && group.claims.length > 0 ? group.clientAuth?.validation : undefined;
  const held = engine.tlsValidationsOnly;
  if (held.get(group.host) === validation) return;
  if (validation === undefined) held.delete(group.host);
  else held.set(group.host, validation);
  changes.validationsOnly = true;
}

/** The routes of the host (as written in spec.tls) run its client-certificate settings: they are settled again. */
function clientAuthChanged(state: BuildState, host: string): void {
  const wildcard = host.startsWith('*.');
  coverageChanged(state, wildcard, wildcard ? host.slice('*.'.length) : host);
}

function recordCertificate(state: BuildState, group: TlsGroup, certificate: TlsCertificate | undefined, changes: TlsChanges): void {
  const { engine } = state;
  const came = group.certificate === undefined;
  const went = certificate === undefined;
  group.certificate = certificate;
  const wildcard = group.host.startsWith('*.');
  const key = wildcard ? group.host.slice('*.'.length) : group.host;
  (wildcard ? changes.wildcards : changes.hosts).add(key);
  if (!came && !went) return;
  const keys = wildcard ? engine.tlsWildcardKeys : engine.tlsHostKeys;
  if (went) keys.remove(key);
  else keys.insert(key);
  coverageChanged(state, wildcard, key);
}

/** Route hosts whose SNI answer depends on this TLS key: the exact host, or the wildcard and its children. */
function coverageChanged(state: BuildState, wildcard: boolean, key: string): void {
  const { levels, parents } = state.engine;
  const exact = wildcard ? undefined : levels.exact.get(key);
  if (exact !== undefined) markCoverage(state, exact);
  if (!wildcard) return;
  const host = levels.wildcard.get(key);
  if (host !== undefined) markCoverage(state, host);
  for (const child of parents.get(key) ?? []) markCoverage(state, child);
}

/** Sorted by host; "*.example.com" is keyed "example.com" among the wildcards. */
function nextTlsTable(engine: Engine, changes: TlsChanges): TlsTable {
  const previous = engine.table.tls;
  const hosts = nextMap(previous.hosts, engine.tlsHostKeys, changes.hosts, (key) => certificateOf(engine, key));
  const wildcards = nextMap(previous.wildcards, engine.tlsWildcardKeys, changes.wildcards, (key) => certificateOf(engine, `*.${key}`));
  const clientValidations = changes.validationsOnly ? validationsOnly(engine) : previous.clientValidations;
  if (hosts === previous.hosts && wildcards === previous.wildcards && clientValidations === previous.clientValidations) return previous;
  return clientValidations === undefined ? { hosts, wildcards } : { hosts, wildcards, clientValidations };
}

/** TlsTable.clientValidations from the engine's (few) hosts with auth-tls and no certificate, sorted. */
function validationsOnly(engine: Engine): ClientValidationsByHost | undefined {
  if (engine.tlsValidationsOnly.size === 0) return undefined;
  const hosts = new Map<string, ClientCertificateValidation>();
  const wildcards = new Map<string, ClientCertificateValidation>();
  for (const host of [...engine.tlsValidationsOnly.keys()].sort(compareStrings)) {
    const validation = engine.tlsValidationsOnly.get(host);
    if (validation === undefined) continue;
    if (host.startsWith('*.')) wildcards.set(host.slice('*.'.length), validation);
    else hosts.set(host, validation);
  }
  return { hosts, wildcards };
}

function certificateOf(engine: Engine, host: string): TlsCertificate {
  const certificate = engine.tlsGroups.get(host)?.certificate;
  if (certificate === undefined) throw new Error(`internal: TLS host ${host} is listed without a certificate`);
  return certificate;
}

/**
 * Keeps engine.failing the live entries whose Secret is unusable; true when a failure may read
 * differently. With ACME on, an entry naming no Secret is ACME's to serve, not a failure.
 */
function updateFailing(engine: Engine, entries: ReadonlySet<TlsEntry>, acme: boolean): boolean {
  let changed = false;
  for (const tls of entries) {
    const failing = tls.entry.live && !resultOf(engine, tls).ok && !(acme && tls.secretKey === undefined);
    if (!failing && !engine.failing.has(tls)) continue;
    if (failing) engine.failing.add(tls);
    else engine.failing.delete(tls);
    changed = true;
  }
  return changed;
}

/** Reported once the table is known, to say which hosts keep the default certificate. */
function reportFailures(state: BuildState): void {
  const { engine } = state;
  const diagnostics = [...engine.failing].flatMap((tls) => {
    const result = resultOf(engine, tls);
    if (result.ok) return [];
    return [diagnostic(tls.entry.ingress, result.reason, secretProblemMessage(tls.where, result.problem, tls.hosts, state.tls))];
  });
  setDiagnostics(state, engine.failing, diagnostics);
}
