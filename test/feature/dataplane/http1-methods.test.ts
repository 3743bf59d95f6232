// Request methods on HTTP/1 over raw sockets: registered and upper-case extension methods are
// forwarded, a lower-case or otherwise malformed method gets 400, TRACE 405 (never forwarded),
// CONNECT 405 (not a forward proxy). TRACE gets 405 over HTTP/2 as well.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect } from 'node:http2';
import { createServer, type Server } from 'node:net';
import { rawExchange, statusLine } from './raw-client.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
/** A bare TCP upstream: a Node upstream would refuse methods llhttp does not know itself. */
let bare: Server;
const bareLines: string[] = [];

beforeAll(async () => {
  web = await startUpstream('web');
  bare = createServer((socket) => {
    socket.once('data', (c: Buffer) => {
      bareLines.push(c.toString('latin1').split('\r\n')[0] ?? '');
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => { bare.listen(0, '127.0.0.1', resolve); });
  const address = bare.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  plane = await startPlane({ h2c: true });
  plane.tables.publish(table({
    'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))),
    'bare.test': hostRoutes(route('/', upstream('bare', [{ host: '127.0.0.1', port }]))),
  }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
  await new Promise((resolve) => { bare.close(resolve); });
});

const request = (method: string, target = '/m'): string => `${method} ${target} HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n`;

describe('HTTP/1 methods', () => {
  it.each(['GET', 'DELETE', 'PROPFIND', 'M-SEARCH', 'PURGE', 'QUERY'])('forwards %s', async (method) => {
    const before = web.requests.length;
    expect(statusLine(await rawExchange(plane.httpPort, request(method)))).toBe('HTTP/1.1 200 OK');
    expect(web.requests.slice(before).map((r) => r.method)).toEqual([method]);
  });

  it('forwards an upper-case extension method llhttp does not know (as nginx does)', async () => {
    const text = await rawExchange(plane.httpPort, 'BAN /m HTTP/1.1\r\nHost: bare.test\r\nConnection: close\r\n\r\n');
    expect(statusLine(text)).toBe('HTTP/1.1 200 OK');
    expect(bareLines).toEqual(['BAN /m HTTP/1.1']);
  });

  it.each(['get', 'Post', 'G3T'])('answers %s with 400 and forwards nothing', async (method) => {
    const before = web.requests.length;
    expect(statusLine(await rawExchange(plane.httpPort, request(method)))).toBe('HTTP/1.1 400 Bad Request');
    expect(web.requests.length).toBe(before);
  });

  it('answers TRACE with 405, forwards nothing, and keeps the connection', async () => {
    const before = web.requests.length;
    const text = await rawExchange(plane.httpPort, `TRACE /m HTTP/1.1\r\nHost: shop.test\r\n\r\n${request('GET')}`);
    expect(statusLine(text)).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(text).toContain('HTTP/1.1 200 OK');
    expect(web.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  it('answers CONNECT with 405 and closes', async () => {
    const before = web.requests.length;
    const text = await rawExchange(plane.httpPort, 'CONNECT shop.test:443 HTTP/1.1\r\nHost: shop.test:443\r\n\r\n');
    expect(statusLine(text)).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(web.requests.length).toBe(before);
  });

  it('counts refused methods in the client-error metric', async () => {
    await rawExchange(plane.httpPort, request('get'));
    const errors = await plane.metrics.clientErrors.get();
    expect(errors.values.find((v) => v.labels.code === 'HPE_INVALID_METHOD')?.value).toBeGreaterThanOrEqual(1);
  });
});

describe('HTTP/2', () => {
  it('answers TRACE with 405 too', async () => {
    const before = web.requests.length;
    const session = h2connect(`http://127.0.0.1:${plane.httpPort}`);
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':method': 'TRACE', ':path': '/m', ':authority': 'shop.test' });
      stream.on('response', (h) => { resolve(Number(h[':status'])); });
      stream.on('error', reject);
      stream.resume();
    });
    session.close();
    expect(status).toBe(405);
    expect(web.requests.length).toBe(before);
  });
});
