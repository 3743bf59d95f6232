// HTTPS: certificates chosen by SNI (exact, wildcard, default), sniStrict, certificate hot swap,
// HTTP/2 by ALPN with HTTP/1.1 fallback, and gRPC-style h2c upstreams with trailers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect, createServer as createH2cServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { generateSelfSigned, type PemPair } from '../../../src/dataplane/tls/default-certificate.ts';
import type { TlsCertificate } from '../../../src/routing/types.ts';
import { certificate, hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let strict: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let grpc: Http2Server;
let shopPair: PemPair;
let wildPair: PemPair;

function peerCertificate(port: number, servername: string | undefined): Promise<{ cn: string; alpn: string | false } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'], ...(servername ? { servername } : {}) }, () => {
      const cert: PeerCertificate = socket.getPeerCertificate();
      resolve({ cn: String(cert.subject.CN), alpn: socket.alpnProtocol ?? false });
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => { resolve({ error: err.code ?? err.message }); });
  });
}

const tlsTable = (shop: TlsCertificate) => {
  const t = table(
    {
      'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))),
      'grpc.test': hostRoutes(route('/', upstream('grpc', [{ host: '127.0.0.1', port: (grpc.address() as AddressInfo).port }]), { backendProtocol: 'GRPC' })),
    },
    { 'shop.test': shop, 'grpc.test': shop },
  );
  return { ...t, tls: { hosts: t.tls.hosts, wildcards: new Map([['wild.test', certificate('wild', wildPair)]]) } };
};

beforeAll(async () => {
  [shopPair, wildPair] = await Promise.all([generateSelfSigned('shop.test'), generateSelfSigned('*.wild.test')]);
  web = await startUpstream('web');
  grpc = createH2cServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/grpc' });
    res.write(Buffer.from([0, 0, 0, 0, 0]));
    res.addTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' });
    res.end();
    req.resume();
  });
  await new Promise<void>((resolve) => grpc.listen(0, '127.0.0.1', resolve));
  plane = await startPlane();
  plane.tables.publish(tlsTable(certificate('shop', shopPair)));
  const strictDefault = await generateSelfSigned('d.invalid');
  strict = await startPlane({ tls: { defaultCertPem: strictDefault.certPem, defaultKeyPem: strictDefault.keyPem, minVersion: 'TLSv1.2', ciphers: undefined, sniStrict: true } });
  strict.tables.publish(tlsTable(certificate('shop', shopPair)));
});

afterAll(async () => {
  await Promise.all([plane.close(), strict.close()]);
  await web.close();
  await new Promise<void>((resolve) => grpc.close(() => { resolve(); }));
});

describe('SNI', () => {
  it('serves the certificate of an exact host, a wildcard host, or the default', async () => {
    expect(await peerCertificate(plane.httpsPort, 'shop.test')).toEqual({ cn: 'shop.test', alpn: 'h2' });
    expect(await peerCertificate(plane.httpsPort, 'a.wild.test')).toMatchObject({ cn: '*.wild.test' });
    expect(await peerCertificate(plane.httpsPort, 'other.test')).toMatchObject({ cn: 'default.invalid' });
    expect(await peerCertificate(plane.httpsPort, undefined)).toMatchObject({ cn: 'default.invalid' });
  });

  it('with sniStrict, refuses a handshake for an unknown name', async () => {
    expect(await peerCertificate(strict.httpsPort, 'shop.test')).toMatchObject({ cn: 'shop.test' });
    expect(await peerCertificate(strict.httpsPort, 'other.test')).toHaveProperty('error');
  });

  it('hot-swaps a changed certificate with the next table', async () => {
    const renewed = await generateSelfSigned('shop.test');
    plane.tables.publish(tlsTable(certificate('shop', { certPem: renewed.certPem, keyPem: renewed.keyPem })));
    const before = await peerCertificate(plane.httpsPort, 'shop.test');
    expect(before).toMatchObject({ cn: 'shop.test' });
    plane.tables.publish(tlsTable(certificate('shop', { certPem: 'garbage', keyPem: 'garbage' })));
    expect(await peerCertificate(plane.httpsPort, 'shop.test')).toMatchObject({ cn: 'default.invalid' });
    plane.tables.publish(tlsTable(certificate('shop', shopPair)));
  });
});

function h2Request(port: number, authority: string, path: string): Promise<{ status: number; body: string; trailers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: authority });
    session.on('error', reject);
    const stream = session.request({ ':path': path, ':authority': authority, ':method': 'POST', te: 'trailers', 'content-type': 'application/grpc' });
    let status = 0;
    let body = '';
    let trailers: Record<string, unknown> = {};
    stream.on('response', (h) => { status = Number(h[':status']); });
    stream.on('trailers', (t: Record<string, unknown>) => { trailers = t; });
    stream.setEncoding('latin1').on('data', (c: string) => { body += c; });
    stream.on('end', () => { session.close(); resolve({ status, body, trailers }); });
    stream.on('error', reject);
    stream.end('hello');
  });
}

describe('HTTP/2', () => {
  it('proxies an h2 request to an HTTP/1.1 upstream', async () => {
    const r = await h2Request(plane.httpsPort, 'shop.test', '/h2?x=1');
    expect(r.status).toBe(200);
    const echo = JSON.parse(r.body) as { url: string; body: string; headers: Record<string, string> };
    expect([echo.url, echo.body, echo.headers.host, echo.headers['x-forwarded-proto']]).toEqual(['/h2?x=1', 'hello', 'shop.test', 'https']);
  });

  it('passes gRPC through to an h2c upstream with trailers preserved', async () => {
    const r = await h2Request(plane.httpsPort, 'grpc.test', '/pkg.Service/Method');
    expect(r.status).toBe(200);
    expect(r.trailers['grpc-status']).toBe('0');
    expect(r.trailers['grpc-message']).toBe('ok');
  });
});
