// Self-signed certificates of every key type users bring, made by openssl (a tool we did not
// write): RSA 2048 is cert-manager's default and the common case; RSA 3072/4096, ECDSA P-256/P-384
// and Ed25519 are the others. Generated once per process and key type, in a temp directory.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl } from './openssl.ts';

export const KEY_TYPES = ['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384', 'Ed25519'] as const;
export type TestKeyType = (typeof KEY_TYPES)[number];

export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** SHA-256 fingerprint, as node:tls reports a peer's (fingerprint256). */
  readonly fingerprint: string;
}

const NEW_KEY: Readonly<Record<TestKeyType, readonly string[]>> = {
  'RSA-2048': ['-newkey', 'rsa:2048'],
  'RSA-3072': ['-newkey', 'rsa:3072'],
  'RSA-4096': ['-newkey', 'rsa:4096'],
  'ECDSA-P256': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ECDSA-P384': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  'Ed25519': ['-newkey', 'ed25519'],
};

/** A self-signed certificate for `names` (the first is the CN) with a new key of `keyType`. */
export async function selfSignedCertificate(keyType: TestKeyType, names: readonly string[]): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'bollard-cert-'));
  try {
    const san = names.map((n) => `DNS:${n}`).join(',');
    await openssl(['req', '-x509', ...NEW_KEY[keyType], '-nodes', '-keyout', 'tls.key', '-out', 'tls.crt', '-days', '30',
      '-subj', `/CN=${names[0] ?? 'test'}`, '-addext', `subjectAltName=${san}`], dir);
    const [certPem, keyPem] = await Promise.all([readFile(join(dir, 'tls.crt'), 'utf8'), readFile(join(dir, 'tls.key'), 'utf8')]);
    return { certPem, keyPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
