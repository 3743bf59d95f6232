// A self-signed certificate for the HTTPS listener when no default certificate is configured:
// served to clients whose SNI matches no Ingress (or that send none).
import { webcrypto } from 'node:crypto';
import { BasicConstraintsExtension, SubjectAlternativeNameExtension, X509CertificateGenerator } from '@peculiar/x509';

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

const DAY_MS = 86_400_000;

export async function generateSelfSigned(commonName: string, now: Date = new Date()): Promise<PemPair> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      name: `CN=${commonName}`,
      notBefore: new Date(now.getTime() - DAY_MS),
      notAfter: new Date(now.getTime() + 365 * DAY_MS),
      signingAlgorithm: algorithm,
      keys,
      extensions: [new BasicConstraintsExtension(false), new SubjectAlternativeNameExtension([{ type: 'dns', value: commonName }])],
    },
    webcrypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const body = pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return { certPem: cert.toString('pem'), keyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n` };
}
