// HTTP/2 with prior knowledge (h2c) on the plain HTTP listener: a client that opens with the
// HTTP/2 preface is served by HTTP/2, others by HTTP/1.1 on the same port; with --h2c=false the
// preface is an invalid HTTP/1 request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect } from 'node:http2';
import { rawExchange, statusLine } from './raw-client.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let withH2c: Awaited<ReturnType<typeof startPlane>>;
let without: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web');
  withH2c = await startPlane({ h2c: true });
  without = await startPlane({ h2c: false });
  const t = table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) });
  withH2c.tables.publish(t);
  without.tables.publish(t);
});

afterAll(async () => {
  await withH2c.close();
  await without.close();
  await web.close();
});

function h2cGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const session = h2connect(`http://127.0.0.1:${port}`);
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ':authority': 'shop.test' });
    let body = '';
    let status = 0;
    stream.setEncoding('utf8');
    stream.on('response', (h) => { status = Number(h[':status']); });
    stream.on('data', (c: string) => { body += c; });
    stream.on('end', () => { session.close(); resolve({ status, body }); });
    stream.on('error', (err: Error) => { session.destroy(); reject(err); });
  });
}

describe('h2c prior knowledge', () => {
  it('serves HTTP/2 to a client that opens with the preface, with the forwarding headers', async () => {
    const { status, body } = await h2cGet(withH2c.httpPort, '/grpc.Service/Method?x=1');
    expect(status).toBe(200);
    const echoed = JSON.parse(body) as { url: string; headers: Record<string, string> };
    expect(echoed.url).toBe('/grpc.Service/Method?x=1');
    expect([echoed.headers.host, echoed.headers['x-forwarded-proto']]).toEqual(['shop.test', 'http']);
  });

  it('still serves HTTP/1.1 on the same port', async () => {
    expect(statusLine(await rawExchange(withH2c.httpPort, 'GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n'))).toBe('HTTP/1.1 200 OK');
  });

  it('refuses the preface as a bad HTTP/1 request when h2c is off', async () => {
    expect(statusLine(await rawExchange(without.httpPort, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
  });
});
