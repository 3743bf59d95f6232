// A small RSA-2048 PKI made by openssl for upstream TLS tests: a root CA, an intermediate CA under
// it, server certificates signed by each (the intermediate's one comes with its chain), and a
// client certificate signed by the root. Generated in a temp directory that is removed afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl } from './openssl.ts';

export interface TestPki {
  readonly caPem: string;
  /** Signed by the root, for `serverNames`. */
  readonly server: { readonly certPem: string; readonly keyPem: string };
  /** Signed by the intermediate; certPem holds the leaf and then the intermediate. */
  readonly deepServer: { readonly certPem: string; readonly keyPem: string };
  /** Signed by the root, CN "bollard-client", for client authentication. */
  readonly client: { readonly certPem: string; readonly keyPem: string };
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';

function serial(): string {
  const bytes = randomBytes(16);
  bytes.writeUInt8(bytes.readUInt8(0) & 0x7f, 0);
  return `0x${bytes.toString('hex')}`;
}

async function sign(dir: string, name: string, subject: string, issuer: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-set_serial', serial(), '-days', '30', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

/** `serverNames`: the names of both server certificates (DNS names; a name with "://" is a URI, e.g. a SPIFFE ID). */
export async function generateTestPki(serverNames: readonly string[]): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'bollard-pki-'));
  try {
    await writeFile(join(dir, 'root.ext'), CA_EXT);
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.crt', '-days', '30', '-subj', '/CN=bollard-test-root',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    const san = `subjectAltName=${serverNames.map((n) => (n.includes('://') ? `URI:${n}` : `DNS:${n}`)).join(',')}\n`;
    const serverExt = `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n${san}`;
    await Promise.all([
      sign(dir, 'intermediate', '/CN=bollard-test-intermediate', 'root', CA_EXT).then(() => sign(dir, 'deep', `/CN=${serverNames[0] ?? 'deep'}`, 'intermediate', serverExt)),
      sign(dir, 'server', `/CN=${serverNames[0] ?? 'server'}`, 'root', serverExt),
      sign(dir, 'client', '/CN=bollard-client', 'root', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n'),
    ]);
    const read = (file: string): Promise<string> => readFile(join(dir, file), 'utf8');
    const [caPem, serverCert, serverKey, deepCert, intermediateCert, deepKey, clientCert, clientKey] = await Promise.all(
      ['root.crt', 'server.crt', 'server.key', 'deep.crt', 'intermediate.crt', 'deep.key', 'client.crt', 'client.key'].map(read),
    ) as [string, string, string, string, string, string, string, string];
    return {
      caPem,
      server: { certPem: serverCert, keyPem: serverKey },
      deepServer: { certPem: deepCert + intermediateCert, keyPem: deepKey },
      client: { certPem: clientCert, keyPem: clientKey },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
