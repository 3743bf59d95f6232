// Strict-Transport-Security (RouteOptions.hsts, --hsts*) through the real data plane: on every
// HTTPS answer of such a route, over HTTP/1.1 and HTTP/2, the upstream's own value replaced (as
// ingress-nginx's more_set_headers does) and Bollard's own answers included; never on plain HTTP,
// and a route without it passes the upstream's value untouched. RSA-2048 certificate.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { certificate, hostRoutes, route, startPlane, startUpstream, table, tlsFixture, upstream, type TestUpstream } from './support.ts';

const HSTS = 'max-age=31536000; includeSubDomains';
const UPSTREAM_HSTS = 'max-age=60';
let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web', (_req, res) => { res.writeHead(200, { 'strict-transport-security': UPSTREAM_HSTS, 'content-length': '2' }).end('ok'); });
  plane = await startPlane();
  const pair = { certPem: await tlsFixture('rsa-2048-a.crt'), keyPem: await tlsFixture('rsa-2048-a.key') };
  const w = upstream('web', [web.endpoint]);
  plane.tables.publish(table({
    'shop.example.com': hostRoutes(route('/', w, { hsts: HSTS }), route('/down', upstream('none', []), { hsts: HSTS })),
    'other.example.com': hostRoutes(route('/', w)),
  }, { 'shop.example.com': certificate('shop', pair), 'other.example.com': certificate('other', pair) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

/** The status and Strict-Transport-Security of GET `path` on `host`, over HTTPS (HTTP/1.1) or plain HTTP. */
function get(host: string, path: string, tls: boolean): Promise<{ status: number; sts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: tls ? plane.httpsPort : plane.httpPort, path, headers: { host }, agent: false, servername: host, rejectUnauthorized: false };
    const req = (tls ? httpsRequest : httpRequest)(options, (res) => {
      const sts = res.headers['strict-transport-security'];
      res.resume().on('end', () => { resolve({ status: res.statusCode ?? 0, sts }); });
    });
    req.on('error', reject).end();
  });
}

function getH2(host: string, path: string): Promise<{ status: number; sts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${String(plane.httpsPort)}`, { servername: host, rejectUnauthorized: false });
    session.on('error', reject);
    const stream = session.request({ ':path': path, ':authority': host });
    stream.on('response', (h) => {
      const sts = h['strict-transport-security'];
      stream.resume().on('end', () => { session.close(); resolve({ status: Number(h[':status']), sts: typeof sts === 'string' ? sts : undefined }); });
    });
    stream.on('error', reject).end();
  });
}

describe('a route with HSTS', () => {
  it('replaces the upstream\'s Strict-Transport-Security on HTTPS, over HTTP/1.1 and HTTP/2', async () => {
    expect(await get('shop.example.com', '/', true)).toEqual({ status: 200, sts: HSTS });
    expect(await getH2('shop.example.com', '/')).toEqual({ status: 200, sts: HSTS });
  });

  it('sends it on an answer Bollard gives itself (503, no endpoints)', async () => {
    expect(await get('shop.example.com', '/down', true)).toEqual({ status: 503, sts: HSTS });
  });

  it('never sends it over plain HTTP: the upstream\'s own passes as it came', async () => {
    expect(await get('shop.example.com', '/', false)).toEqual({ status: 200, sts: UPSTREAM_HSTS });
  });
});

it('leaves the upstream\'s Strict-Transport-Security alone on a route without HSTS', async () => {
  expect(await get('other.example.com', '/', true)).toEqual({ status: 200, sts: UPSTREAM_HSTS });
});
