// Reading the certificate and key of a spec.tls Secret: the type, both keys, and what the data
// plane would otherwise find only at its first handshake — a certificate and key that parse, a
// key type TLS can sign with, a key that belongs to the certificate. A Secret that fails any of
// these is InvalidTLSSecret (an Event naming its hosts), never a silent default certificate.
// Parsing is pure (no I/O, no clock) and done once per Secret object (see loadTlsSecret).
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { SecretObject } from '../snapshot/model.ts';
import type { DiagnosticReason, TlsCertificate } from './types.ts';

export type TlsSecretResult =
  /** `names`: the certificate's DNS subject alternative names (or its CN when it has none), lower-cased. */
  | { readonly ok: true; readonly certificate: TlsCertificate; readonly names: readonly string[] }
  | { readonly ok: false; readonly reason: DiagnosticReason; readonly problem: string };

const TLS_SECRET_TYPE = 'kubernetes.io/tls';
const PEM_MARKER = '-----BEGIN';

/** What an entry without a secretName gets. */
export const NO_SECRET_NAME: TlsSecretResult = notFound('no secretName is set');

/**
 * The Secret `name` in `namespace` (`secret`, as the snapshot has it) as a certificate, or why it
 * cannot be one. `readings` remembers each Secret object's result (BuildCache.secretReadings), so an
 * unchanged Secret is decoded once and its certificate stays the same object, which makes
 * tablesEqual and the data plane's reuse check O(1) for it.
 */
export function loadTlsSecret(
  secret: SecretObject | undefined,
  namespace: string,
  name: string,
  readings: WeakMap<SecretObject, TlsSecretResult>,
): TlsSecretResult {
  if (secret === undefined) return notFound(`secret "${name}" not found in namespace "${namespace}"`);
  let result = readings.get(secret);
  if (result === undefined) {
    result = readTlsSecret(secret);
    readings.set(secret, result);
  }
  return result;
}

/** Whether two readings say the same (then the first is kept, so its certificate object stays). */
export function sameTlsSecretResult(a: TlsSecretResult, b: TlsSecretResult): boolean {
  if (a === b) return true;
  if (a.ok && b.ok) {
    const x = a.certificate;
    const y = b.certificate;
    return x.secret.namespace === y.secret.namespace && x.secret.name === y.secret.name &&
      x.certPem === y.certPem && x.keyPem === y.keyPem;
  }
  return !a.ok && !b.ok && a.reason === b.reason && a.problem === b.problem;
}

function readTlsSecret(secret: SecretObject): TlsSecretResult {
  if (secret.type !== TLS_SECRET_TYPE) {
    return invalid(`secret "${secret.name}" has type "${secret.type}"; it must be ${TLS_SECRET_TYPE}`);
  }
  const certPem = readPem(secret, 'tls.crt');
  const keyPem = readPem(secret, 'tls.key');
  if (typeof certPem !== 'string') return certPem;
  if (typeof keyPem !== 'string') return keyPem;
  const parsed = parsePair(secret.name, certPem, keyPem);
  if ('ok' in parsed) return parsed;
  const { namespace, name } = secret;
  return { ok: true, certificate: { secret: { namespace, name }, certPem, keyPem }, names: dnsNames(parsed.cert) };
}

/** Key types OpenSSL signs TLS 1.2 and 1.3 handshakes with. */
const SIGNING_KEY_TYPES = new Set(['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448']);

function parsePair(secretName: string, certPem: string, keyPem: string): { cert: X509Certificate } | TlsSecretResult {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return invalid(`tls.crt of secret "${secretName}" is not a readable X.509 certificate`);
  }
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return invalid(`tls.key of secret "${secretName}" is not a readable private key (an encrypted key is not supported)`);
  }
  if (!SIGNING_KEY_TYPES.has(key.asymmetricKeyType ?? '')) {
    return invalid(`tls.key of secret "${secretName}" is a ${key.asymmetricKeyType ?? 'unknown'} key, which cannot sign a TLS handshake`);
  }
  if (!cert.checkPrivateKey(key)) return invalid(`tls.key of secret "${secretName}" does not belong to the certificate in tls.crt`);
  return { cert };
}

function dnsNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san !== undefined) {
    return san.split(', ').filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice('DNS:'.length).toLowerCase());
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  return cn === undefined ? [] : [cn.toLowerCase()];
}

/** Whether a certificate naming `names` is valid for `host` (RFC 6125: a wildcard covers one label). */
export function certificateCovers(names: readonly string[], host: string): boolean {
  if (names.includes(host)) return true;
  if (host.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && names.includes(`*${host.slice(dot)}`);
}


function readPem(secret: SecretObject, key: string): string | TlsSecretResult {
  const data = secret.data[key];
  if (data === undefined || data.length === 0) return invalid(`secret "${secret.name}" has no ${key}`);
  const pem = data.toString('utf8');
  return pem.includes(PEM_MARKER) ? pem : invalid(`${key} of secret "${secret.name}" is not PEM (no "${PEM_MARKER}" line)`);
}

function notFound(problem: string): TlsSecretResult {
  return { ok: false, reason: 'TLSSecretNotFound', problem };
}

function invalid(problem: string): TlsSecretResult {
  return { ok: false, reason: 'InvalidTLSSecret', problem };
}
