// The Secrets behind nginx proxy-ssl-secret: each read once per object (a slot per Secret:
// ingress-read-slots.ts), and turned into the UpstreamTls of the routes of the Ingresses that name
// it. A Secret that is missing or unusable is reported; the routes then reach their upstream
// without its certificate and CA, which fails closed when proxy-ssl-verify is on (nothing to verify
// against but the public roots). When a Secret's reading changes, the options of its Ingresses'
// routes are built again.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { SecretObject } from '../snapshot/model.ts';
import type { Engine, IngressEntry } from './engine.ts';
import type { Diagnostic, Upstream, UpstreamTls } from './types.ts';
import type { ProxySslNeed, ProxySslSecretRef } from './nginx/proxy-ssl.ts';
import { diagnostic } from './diagnostics.ts';
import { ingressReadSlots, type IngressReadKind } from './ingress-read-slots.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';

export type ProxySslReading =
  | { readonly ok: true; readonly certPem: string | undefined; readonly keyPem: string | undefined; readonly caPem: string | undefined }
  | { readonly ok: false; readonly problem: string };

const NOT_READ: ProxySslReading = { ok: false, problem: 'not read yet' };

const PROXY_SSL_SECRETS: IngressReadKind<ProxySslSecretRef, SecretObject, ProxySslReading> = {
  slotsOf: (engine) => engine.proxySslSecrets,
  refOf: (options) => options.proxySsl?.secret,
  lookup: (snapshot, { namespace, name }) => snapshot.lookupSecret(namespace, name) ?? snapshot.lookupOpaqueSecret(namespace, name),
  read: (secret, { namespace, name }) => readProxySslSecret(secret, namespace, name),
  same: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  forgetBuilt: (options) => { options.shared.fill(undefined); },
  problemsOf: (entry, _ref, reading) => problemsOf(entry, reading),
};

export const proxySslSecretSlots = ingressReadSlots(PROXY_SSL_SECRETS);

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
