// Reading the certificate and key of a spec.tls Secret. Only the shape is checked here (type, both
// keys present, PEM markers); the data plane parses the X.509 when it builds the SecureContext.
import type { SecretObject } from '../snapshot/model.ts';
import type { DiagnosticReason, TlsCertificate } from './types.ts';

export type TlsSecretResult =
  | { readonly ok: true; readonly certificate: TlsCertificate }
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
