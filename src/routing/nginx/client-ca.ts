// The Secret behind nginx auth-tls-secret: ca.crt, the CAs client certificates are verified
// against, and optionally ca.crl, the certificates they revoked. Any Secret type (an Opaque one from
// `kubectl create secret generic --from-file=ca.crt`, or a kubernetes.io/tls one such as
// cert-manager writes with its ca.crt). A Secret without a readable CA, or with a CRL OpenSSL does
// not take, is a problem: its host's routes refuse requests rather than serve them unchecked.
import { X509Certificate, createHash } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { SecretObject } from '../../snapshot/model.ts';

export type ClientCaReading =
  | { readonly caPem: string; readonly crlPem: string | undefined; readonly digest: string }
  | { readonly problem: string; readonly notFound: boolean };

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

export function readClientCa(secret: SecretObject | undefined, name: string): ClientCaReading {
  if (secret === undefined) return { problem: `secret "${name}" was not found`, notFound: true };
  const ca = secret.data['ca.crt']?.toString('utf8');
  if (ca === undefined) return { problem: `secret "${name}" has no key "ca.crt"`, notFound: false };
  let caPem = '';
  // An unreadable block is left out; the others still count.
  for (const block of ca.match(CERTIFICATE) ?? []) if (readable(block)) caPem += `${block}\n`;
  if (caPem === '') return { problem: `"ca.crt" of secret "${name}" holds no readable PEM certificate`, notFound: false };
  const crl = secret.data['ca.crl']?.toString('utf8');
  if (crl !== undefined && !crlAccepted(caPem, crl)) return { problem: `"ca.crl" of secret "${name}" is not a PEM CRL OpenSSL accepts`, notFound: false };
  const digest = createHash('sha256').update(caPem).update('\n').update(crl ?? '').digest('hex');
  return { caPem, crlPem: crl, digest };
}

export function sameClientCaReading(a: ClientCaReading, b: ClientCaReading): boolean {
  if ('problem' in a || 'problem' in b) return 'problem' in a && 'problem' in b && a.problem === b.problem;
  return a.digest === b.digest;
}

function readable(pem: string): boolean {
  try {
    return new X509Certificate(pem).raw.length > 0;
  } catch {
    return false;
  }
}

/** OpenSSL reads it (pure: an in-memory context, thrown away). */
function crlAccepted(ca: string, crl: string): boolean {
  try {
    createSecureContext({ ca, crl });
    return true;
  } catch {
    return false;
  }
}
