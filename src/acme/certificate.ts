// What Bollard records about a stored certificate (certificates/<name>/meta.json), read from the
// PEM itself.
import { X509Certificate } from 'node:crypto';

export interface CertificateMeta {
  readonly names: readonly string[];
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** When the issuer renews it: fixed at issuance (jitter included), so every leader agrees. */
  readonly renewAt: string;
  readonly issuedAt: string;
  readonly serial: string;
  readonly directoryUrl: string;
}

export interface CertificateFacts {
  readonly notBefore: number;
  readonly notAfter: number;
  readonly serial: string;
  readonly names: readonly string[];
}

/** Facts of the first (leaf) certificate of a PEM chain. */
export function describeCertificate(chainPem: string): CertificateFacts {
  const leaf = new X509Certificate(chainPem);
  const names = (leaf.subjectAltName ?? '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  return { notBefore: Date.parse(leaf.validFrom), notAfter: Date.parse(leaf.validTo), serial: leaf.serialNumber, names };
}

export function parseMeta(value: Buffer): CertificateMeta | undefined {
  try {
    const v = JSON.parse(value.toString('utf8')) as Partial<CertificateMeta>;
    return typeof v.notAfter === 'string' && typeof v.renewAt === 'string' && typeof v.notBefore === 'string' ? (v as CertificateMeta) : undefined;
  } catch {
    return undefined;
  }
}
