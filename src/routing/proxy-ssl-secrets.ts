// The Secrets behind nginx proxy-ssl-secret: each read once per object (a slot per Secret, checked
// against the snapshot on every build, like auth Secrets), and turned into the UpstreamTls of the
// routes of the Ingresses that name it. A Secret that is missing or unusable is reported; the
// routes then reach their upstream without its certificate and CA, which fails closed when
// proxy-ssl-verify is on (nothing to verify against but the public roots). When a Secret's
// reading changes, the options of its Ingresses' routes are built again.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { SecretObject } from '../snapshot/model.ts';
import type { Engine, IngressEntry, ProxySslSlot } from './engine.ts';
import type { BuildState } from './state.ts';
import type { Diagnostic, Upstream, UpstreamTls } from './types.ts';
import type { ProxySslNeed } from './nginx/proxy-ssl.ts';
import { clearDiagnostics, setDiagnostics, touch } from './state.ts';
import { diagnostic } from './diagnostics.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';
import { findGroup } from './route-groups.ts';

export type ProxySslReading =
  | { readonly ok: true; readonly certPem: string | undefined; readonly keyPem: string | undefined; readonly caPem: string | undefined }
  | { readonly ok: false; readonly problem: string };

const NOT_READ: ProxySslReading = { ok: false, problem: 'not read yet' };

export function unlinkProxySslSecret(state: BuildState, entry: IngressEntry): void {
  const ref = entry.options?.proxySsl?.secret;
  if (ref === undefined) return;
  clearDiagnostics(state, ref);
  state.engine.proxySslSecrets.get(ref.slotKey)?.users.delete(entry);
}

export function linkProxySslSecret(state: BuildState, entry: IngressEntry): void {
  const ref = entry.options?.proxySsl?.secret;
  if (ref === undefined) return;
  const { proxySslSecrets } = state.engine;
  let slot = proxySslSecrets.get(ref.slotKey);
  if (slot === undefined) {
    slot = { namespace: ref.namespace, name: ref.name, users: new Set(), secret: undefined, reading: undefined };
    proxySslSecrets.set(ref.slotKey, slot);
  }
  slot.users.add(entry);
  // Options kept from an earlier time the Ingress was served may hold an older reading.
  entry.options?.shared.fill(undefined);
  if (slot.reading !== undefined) setDiagnostics(state, ref, problemsOf(entry, slot.reading));
}

/** Drops slots nothing uses; reads again the Secrets the snapshot replaced and rebuilds their users' options. */
export function refreshProxySslSecrets(state: BuildState): void {
  const { proxySslSecrets } = state.engine;
  for (const [key, slot] of proxySslSecrets) {
    if (slot.users.size === 0) {
      proxySslSecrets.delete(key);
      continue;
    }
    if (!reread(state, slot)) continue;
    for (const entry of slot.users) rebuildOptions(state, entry, slot);
  }
}

/** The TLS settings of a route to `upstream`, with the Secret as last read; one object per value. */
export function upstreamTlsFor(engine: Engine, need: ProxySslNeed, upstream: Upstream): UpstreamTls {
  const reading = need.secret === undefined ? undefined : engine.proxySslSecrets.get(need.secret.slotKey)?.reading ?? NOT_READ;
  const pems = reading?.ok === true ? reading : undefined;
  const settings = {
    verify: need.verify, verifyDepth: need.verifyDepth,
    serverName: need.name ?? `${upstream.service.name}.${upstream.service.namespace}.svc`,
    sendServerName: need.sendServerName, ciphers: need.ciphers, minVersion: need.minVersion, maxVersion: need.maxVersion,
    clientCertPem: pems?.certPem, clientKeyPem: pems?.keyPem, caPem: pems?.caPem,
  };
  const key = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 24);
  const found = engine.upstreamTls.get(key);
  if (found !== undefined) return found;
  const made: UpstreamTls = { key, ...settings };
  engine.upstreamTls.set(key, made);
  return made;
}

function reread(state: BuildState, slot: ProxySslSlot): boolean {
  const secret = state.snapshot.lookupSecret(slot.namespace, slot.name) ?? state.snapshot.lookupOpaqueSecret(slot.namespace, slot.name);
  if (slot.reading !== undefined && secret === slot.secret) return false;
  slot.secret = secret;
  const next = readProxySslSecret(secret, slot.namespace, slot.name);
  if (slot.reading !== undefined && JSON.stringify(slot.reading) === JSON.stringify(next)) return false;
  slot.reading = next;
  return true;
}

function rebuildOptions(state: BuildState, entry: IngressEntry, slot: ProxySslSlot): void {
  const { options } = entry;
  const ref = options?.proxySsl?.secret;
  if (options === undefined || ref === undefined || slot.reading === undefined) return;
  setDiagnostics(state, ref, problemsOf(entry, slot.reading));
  options.shared.fill(undefined);
  for (const claim of entry.claims?.items ?? []) {
    const group = findGroup(state.engine, claim);
    if (group !== undefined) touch(state, group);
  }
}

function problemsOf(entry: IngressEntry, reading: ProxySslReading): Diagnostic[] {
  if (reading.ok) return [];
  const message = `annotation ${NGINX_PREFIX}proxy-ssl-secret: ${reading.problem}. The upstream is reached without its certificate and CA`;
  return [diagnostic(entry.ref, 'InvalidProxySSLSecret', message)];
}

/** tls.crt with tls.key (the client certificate), ca.crt (the CA the upstream is verified with), or both. */
export function readProxySslSecret(secret: SecretObject | undefined, namespace: string, name: string): ProxySslReading {
  if (secret === undefined) return { ok: false, problem: `secret "${name}" not found in namespace "${namespace}"` };
  const text = (key: string): string | undefined => {
    const data = secret.data[key];
    return data === undefined || data.length === 0 ? undefined : data.toString('utf8');
  };
  const certPem = text('tls.crt');
  const keyPem = text('tls.key');
  const caPem = text('ca.crt');
  if ((certPem === undefined) !== (keyPem === undefined)) return { ok: false, problem: `secret "${name}" has only one of tls.crt and tls.key` };
  if (certPem === undefined && caPem === undefined) return { ok: false, problem: `secret "${name}" has neither tls.crt and tls.key nor ca.crt` };
  const problem = pairProblem(name, certPem, keyPem) ?? caProblem(name, caPem);
  return problem === undefined ? { ok: true, certPem, keyPem, caPem } : { ok: false, problem };
}

function pairProblem(name: string, certPem: string | undefined, keyPem: string | undefined): string | undefined {
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    return cert.checkPrivateKey(key) ? undefined : `tls.key of secret "${name}" does not belong to the certificate in tls.crt`;
  } catch {
    return `tls.crt and tls.key of secret "${name}" are not a readable certificate and unencrypted key`;
  }
}

function caProblem(name: string, caPem: string | undefined): string | undefined {
  if (caPem === undefined) return undefined;
  try {
    return new X509Certificate(caPem).raw.length > 0 ? undefined : `ca.crt of secret "${name}" is empty`;
  } catch {
    return `ca.crt of secret "${name}" is not a readable X.509 certificate`;
  }
}
