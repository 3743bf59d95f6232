// The control plane's PKI, generated with openssl into one directory: a CA, the API server's
// serving certificate (127.0.0.1 / localhost), an admin client certificate in system:masters, and
// the service-account signing key pair (RSA 2048, signing RS256 tokens). The TLS keys are ECDSA
// P-256: they generate in milliseconds where RSA takes a noticeable part of a second on 2 cores.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openssl } from './openssl.ts';

export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

const SERVING_SANS = 'IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1';

/** A random positive serial; leaves are signed in parallel, so no shared serial file. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes.writeUInt8(bytes.readUInt8(0) & 0x7f, 0);
  return `0x${bytes.toString('hex')}`;
}

async function newKey(dir: string, file: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], dir);
}

async function newCa(dir: string): Promise<void> {
  await newKey(dir, 'ca.key');
  await writeFile(
    join(dir, 'ca.ext'),
    'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\n',
  );
  await openssl(['req', '-new', '-key', 'ca.key', '-subj', '/CN=bollard-test-ca', '-out', 'ca.csr'], dir);
  await openssl(['x509', '-req', '-in', 'ca.csr', '-signkey', 'ca.key', '-days', '3650', '-extfile', 'ca.ext', '-out', 'ca.crt'], dir);
}

export interface LeafSpec {
  readonly name: string;
  readonly subject: string;
  readonly extensions: string;
}

export async function newLeaf(dir: string, leaf: LeafSpec): Promise<void> {
  const { name } = leaf;
  await newKey(dir, `${name}.key`);
  await writeFile(join(dir, `${name}.ext`), leaf.extensions);
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', leaf.subject, '-out', `${name}.csr`], dir);
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial(), '-days', '365']
      .concat(['-extfile', `${name}.ext`, '-out', `${name}.crt`]),
    dir,
  );
}

async function newServiceAccountKeys(dir: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
  await openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

export const LEAF_EXTENSIONS = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n';

export interface PkiOptions {
  /** Added to the serving certificate's subjectAltName (the one-node cluster's bridge and Service addresses). */
  readonly extraServingSans?: readonly string[];
}

export async function generatePki(dir: string, opts: PkiOptions = {}): Promise<Pki> {
  const sans = [SERVING_SANS, ...(opts.extraServingSans ?? [])].join(',');
  const serviceAccount = newServiceAccountKeys(dir);
  await newCa(dir);
  await Promise.all([
    newLeaf(dir, {
      name: 'apiserver',
      subject: '/CN=kube-apiserver',
      extensions: `${LEAF_EXTENSIONS}extendedKeyUsage=serverAuth\nsubjectAltName=${sans}\n`,
    }),
    newLeaf(dir, {
      name: 'admin',
      subject: '/O=system:masters/CN=bollard-admin',
      extensions: `${LEAF_EXTENSIONS}extendedKeyUsage=clientAuth\n`,
    }),
    serviceAccount,
  ]);
  const at = (file: string): string => join(dir, file);
  return {
    caCert: at('ca.crt'),
    caKey: at('ca.key'),
    servingCert: at('apiserver.crt'),
    servingKey: at('apiserver.key'),
    adminCert: at('admin.crt'),
    adminKey: at('admin.key'),
    serviceAccountKey: at('sa.key'),
    serviceAccountPub: at('sa.pub'),
  };
}
