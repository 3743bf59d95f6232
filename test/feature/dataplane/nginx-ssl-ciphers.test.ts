// nginx ssl-ciphers and ssl-prefer-server-ciphers over real sockets: Ingresses built into a table
// by the real builder, one RSA-2048 Secret for every host, and TLS 1.2 clients offering chosen
// suites. A host's list refuses a client offering nothing in it; with server preference the
// host's order wins over the client's; an invalid list is reported and the host keeps the defaults.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { selfSignedCertificate } from '../../harness/tls-keys.ts';
import { buildAnnotated } from './annotated-table.ts';
import { startPlane } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const AES128 = 'ECDHE-RSA-AES128-GCM-SHA256';
const AES256 = 'ECDHE-RSA-AES256-GCM-SHA384';

let plane: Awaited<ReturnType<typeof startPlane>>;
let diagnostics: readonly { readonly reason: string; readonly message: string }[] = [];

beforeAll(async () => {
  const hosts = ['strict.test', 'pref.test', 'nopref.test', 'bad.test'];
  const cert = await selfSignedCertificate('RSA-2048', hosts);
  const result = buildAnnotated([
    { name: 'strict', host: 'strict.test', tlsSecret: 'cert', annotations: { [`${N}ssl-ciphers`]: AES256 } },
    { name: 'pref', host: 'pref.test', tlsSecret: 'cert', annotations: { [`${N}ssl-ciphers`]: `${AES128}:${AES256}`, [`${N}ssl-prefer-server-ciphers`]: 'true' } },
    { name: 'nopref', host: 'nopref.test', tlsSecret: 'cert', annotations: { [`${N}ssl-ciphers`]: `${AES128}:${AES256}` } },
    { name: 'bad', host: 'bad.test', tlsSecret: 'cert', annotations: { [`${N}ssl-ciphers`]: 'NO-SUCH-CIPHER' } },
  ], [{ host: '127.0.0.1', port: 9 }], [{ name: 'cert', type: 'kubernetes.io/tls', stringData: { 'tls.crt': cert.certPem, 'tls.key': cert.keyPem } }]);
  diagnostics = result.diagnostics;
  plane = await startPlane();
  plane.tables.publish(result.table);
}, 60_000);

afterAll(async () => {
  await plane.close();
});

/** The suite a TLS 1.2 handshake settles on, offering `ciphers` in that order. */
function negotiate(servername: string, ciphers: string, version: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.2'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = tlsConnect({
      host: '127.0.0.1', port: plane.httpsPort, servername, rejectUnauthorized: false, minVersion: version, maxVersion: version, ciphers,
    }, () => {
      const { name } = socket.getCipher();
      socket.destroy();
      resolve(name);
    });
    socket.once('error', reject);
  });
}

describe('nginx ssl-ciphers', () => {
  it('serves a client offering a suite of the host\'s list', async () => {
    expect(await negotiate('strict.test', `${AES128}:${AES256}`)).toBe(AES256);
  });

  it('refuses a client offering none of them', async () => {
    await expect(negotiate('strict.test', AES128)).rejects.toThrow(/handshake failure|no shared cipher|alert/i);
  });

  it('leaves TLS 1.3 suites alone (as nginx\'s ssl_ciphers does)', async () => {
    expect(await negotiate('strict.test', AES128, 'TLSv1.3')).toMatch(/^TLS_/);
  });

  it('reports an invalid list, and the host keeps the default ciphers', async () => {
    expect(diagnostics).toContainEqual(expect.objectContaining({ reason: 'InvalidAnnotation', message: expect.stringContaining(`${N}ssl-ciphers: "NO-SUCH-CIPHER" is not valid`) }));
    expect(await negotiate('bad.test', AES128)).toBe(AES128);
  });
});

describe('nginx ssl-prefer-server-ciphers', () => {
  it('"true": the host\'s order wins over the client\'s', async () => {
    expect(await negotiate('pref.test', `${AES256}:${AES128}`)).toBe(AES128);
  });

  it('unset: the client\'s order wins', async () => {
    expect(await negotiate('nopref.test', `${AES256}:${AES128}`)).toBe(AES256);
  });
});
