// Reading the certificate and key of a spec.tls Secret. Only the shape is checked here (type, both
// keys present, PEM markers); the data plane parses the X.509 when it builds the SecureContext.
import type { ClusterSnapshot, SecretObject } from '../snapshot/model.ts';
import type { DiagnosticReason, TlsCertificate } from './types.ts';

export type TlsSecretResult =
  | { readonly ok: true; readonly certificate: TlsCertificate }
  | { readonly ok: false; readonly reason: DiagnosticReason; readonly problem: string };

const TLS_SECRET_TYPE = 'kubernetes.io/tls';
const PEM_MARKER = '-----BEGIN';

/**
 * Results by Secret object. Snapshot objects are immutable and replaced when they change, so an
 * unchanged Secret is decoded once rather than on every build, and its certificate stays the same
 * object, which makes tablesEqual and the data plane's reuse check O(1) for it. A pure memo: it
 * changes no result, and an entry goes when the snapshot drops its Secret.
 */
const bySecret = new WeakMap<SecretObject, TlsSecretResult>();

/** The Secret `name` in `namespace` as a certificate, or why it cannot be one. */
export function loadTlsSecret(snapshot: ClusterSnapshot, namespace: string, name: string | undefined): TlsSecretResult {
  if (name === undefined || name === '') return notFound('no secretName is set');
  const secret = snapshot.lookupSecret(namespace, name);
  if (secret === undefined) return notFound(`secret "${name}" not found in namespace "${namespace}"`);
  let result = bySecret.get(secret);
  if (result === undefined) {
    result = readTlsSecret(secret);
    bySecret.set(secret, result);
  }
  return result;
}

function readTlsSecret(secret: SecretObject): TlsSecretResult {
  if (secret.type !== TLS_SECRET_TYPE) {
    return invalid(`secret "${secret.name}" has type "${secret.type}"; it must be ${TLS_SECRET_TYPE}`);
  }
  const certPem = readPem(secret, 'tls.crt');
  const keyPem = readPem(secret, 'tls.key');
  if (typeof certPem !== 'string') return certPem;
  if (typeof keyPem !== 'string') return keyPem;
  const { namespace, name } = secret;
  return { ok: true, certificate: { secret: { namespace, name }, certPem, keyPem } };
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
