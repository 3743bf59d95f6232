// nginx proxy-ssl-* over real sockets: Ingresses with backend-protocol HTTPS built into a table by
// the real builder, and an HTTPS upstream with certificates from a test CA (RSA-2048). The upstream
// asks for a client certificate and answers with what it saw: the SNI name, the client
// certificate, the cipher and version. Requests whose upstream fails verification get 502.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { request } from 'undici';
import { generateTestPki, type TestPki } from '../../harness/tls-ca.ts';
import type { Diagnostic } from '../../../src/routing/types.ts';
import { buildAnnotated, type IngressSpec, type SecretSpec } from './annotated-table.ts';
import { startPlane } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const HTTPS = { [`${N}backend-protocol`]: 'HTTPS' };
const VERIFY = { ...HTTPS, [`${N}proxy-ssl-verify`]: 'on', [`${N}proxy-ssl-secret`]: 'shop/upstream-ca' };

let pki: TestPki;
let upstream: Server;
let plane: Awaited<ReturnType<typeof startPlane>>;
let diagnostics: readonly Diagnostic[] = [];
let base = '';

interface Seen {
  readonly servername: string | false;
  readonly client: string | undefined;
  readonly authorized: boolean;
  readonly cipher: string;
  readonly protocol: string | null;
}

const INGRESSES: readonly IngressSpec[] = [
  {
    name: 'mtls', host: 'mtls.test',
    annotations: { ...VERIFY, [`${N}proxy-ssl-secret`]: 'shop/client', [`${N}proxy-ssl-name`]: 'backend.test', [`${N}proxy-ssl-server-name`]: 'on' },
  },
  { name: 'service-name', host: 'service-name.test', annotations: VERIFY },
  { name: 'wrong-name', host: 'wrong-name.test', annotations: { ...VERIFY, [`${N}proxy-ssl-name`]: 'other.test' } },
  { name: 'no-ca', host: 'no-ca.test', annotations: { ...HTTPS, [`${N}proxy-ssl-verify`]: 'on' } },
  { name: 'unverified', host: 'unverified.test', annotations: { ...HTTPS, [`${N}proxy-ssl-secret`]: 'client' } },
  { name: 'plain-https', host: 'plain-https.test', annotations: HTTPS },
  { name: 'deep', host: 'deep.test', annotations: { ...VERIFY, [`${N}proxy-ssl-name`]: 'deep.test', [`${N}proxy-ssl-server-name`]: 'on' } },
  { name: 'deep-ok', host: 'deep-ok.test', annotations: { ...VERIFY, [`${N}proxy-ssl-name`]: 'deep.test', [`${N}proxy-ssl-server-name`]: 'on', [`${N}proxy-ssl-verify-depth`]: '2' } },
  {
    name: 'ciphers', host: 'ciphers.test',
    annotations: { ...HTTPS, [`${N}proxy-ssl-ciphers`]: 'ECDHE-RSA-AES256-GCM-SHA384', [`${N}proxy-ssl-protocols`]: 'TLSv1.1 TLSv1.2' },
  },
  { name: 'missing', host: 'missing.test', annotations: { ...VERIFY, [`${N}proxy-ssl-secret`]: 'nowhere' } },
];

beforeAll(async () => {
  pki = await generateTestPki(['web.shop.svc', 'backend.test', 'deep.test']);
  const deep = createSecureContext({ cert: pki.deepServer.certPem, key: pki.deepServer.keyPem });
  upstream = createServer({
    cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: false,
    SNICallback: (name, done) => { done(null, name === 'deep.test' ? deep : undefined); },
  }, (req, res) => {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) throw new Error('not a TLS connection');
    const peer = socket.getPeerCertificate();
    const seen: Seen = {
      servername: socket.servername ?? false, client: Object.keys(peer).length === 0 ? undefined : String(peer.subject.CN),
      authorized: socket.authorized, cipher: socket.getCipher().name, protocol: socket.getProtocol(),
    };
    res.end(JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  const secrets: SecretSpec[] = [
    { name: 'client', type: 'kubernetes.io/tls', stringData: { 'tls.crt': pki.client.certPem, 'tls.key': pki.client.keyPem, 'ca.crt': pki.caPem } },
    { name: 'upstream-ca', stringData: { 'ca.crt': pki.caPem } },
  ];
  const built = buildAnnotated(INGRESSES, [{ host: '127.0.0.1', port }], secrets);
  diagnostics = built.diagnostics;
  plane = await startPlane();
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
}, 60_000);

afterAll(async () => {
  await plane.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => { resolve(); }));
});

async function get(host: string): Promise<{ status: number; seen: Seen | undefined }> {
  const res = await request(`${base}/`, { headers: { host } });
  const text = await res.body.text();
  return { status: res.statusCode, seen: res.statusCode === 200 ? JSON.parse(text) as Seen : undefined };
}

describe('proxy-ssl-secret, proxy-ssl-verify, proxy-ssl-name, proxy-ssl-server-name', () => {
  it('shows the client certificate, verifies the upstream against the CA and the name, and sends that name as SNI', async () => {
    const { status, seen } = await get('mtls.test');
    expect(status).toBe(200);
    expect(seen).toMatchObject({ servername: 'backend.test', client: 'bollard-client', authorized: true });
  });

  it('verifies against the Service\'s DNS name by default, without SNI (proxy-ssl-server-name off)', async () => {
    const { status, seen } = await get('service-name.test');
    expect(status).toBe(200);
    expect(seen?.servername).toBe(false);
    expect(seen?.client).toBeUndefined();
  });

  it('answers 502 when the upstream\'s certificate does not name proxy-ssl-name', async () => {
    expect((await get('wrong-name.test')).status).toBe(502);
  });

  it('answers 502 when verification has no CA of the Secret to trust (the public roots do not know the upstream)', async () => {
    expect((await get('no-ca.test')).status).toBe(502);
  });

  it('without proxy-ssl-verify, shows the client certificate and does not verify the upstream', async () => {
    const { status, seen } = await get('unverified.test');
    expect(status).toBe(200);
    expect(seen).toMatchObject({ client: 'bollard-client', authorized: true });
  });

  it('without any proxy-ssl annotation, shows no client certificate', async () => {
    const { status, seen } = await get('plain-https.test');
    expect(status).toBe(200);
    expect(seen?.client).toBeUndefined();
  });
});

describe('proxy-ssl-verify-depth', () => {
  it('refuses (502) a chain longer than the depth allows: leaf, intermediate, root with the default 1', async () => {
    expect((await get('deep.test')).status).toBe(502);
  });

  it('accepts it with depth 2', async () => {
    expect((await get('deep-ok.test')).status).toBe(200);
  });
});

describe('proxy-ssl-ciphers, proxy-ssl-protocols', () => {
  it('offers only the listed cipher and versions (TLS 1.1 dropped: Node\'s OpenSSL refuses it)', async () => {
    const { status, seen } = await get('ciphers.test');
    expect(status).toBe(200);
    expect(seen).toMatchObject({ cipher: 'ECDHE-RSA-AES256-GCM-SHA384', protocol: 'TLSv1.2' });
  });
});

describe('a missing proxy-ssl-secret', () => {
  it('is reported, and with proxy-ssl-verify on the upstream is refused (502), never reached unverified', async () => {
    expect(diagnostics.map((d) => `${d.ingress.name} ${d.reason}`)).toEqual(['missing InvalidProxySSLSecret']);
    expect((await get('missing.test')).status).toBe(502);
  });
});
