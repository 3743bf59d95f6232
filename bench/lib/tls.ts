// A self-signed certificate for the benchmark host, made by openssl in a temp directory. RSA 2048,
// the key type most users' certificates have (cert-manager's default); every proxy in the lineup
// serves the same certificate and key.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openssl } from '../../test/harness/openssl.ts';

export interface SelfSigned {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export async function selfSignedCertificate(dir: string, host: string): Promise<SelfSigned> {
  await openssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '7',
    '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-keyout', 'tls.key', '-out', 'tls.crt',
  ], dir);
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  return { certFile, keyFile, certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
}
