// nginx proxy-redirect-from/-to, proxy-cookie-domain/-path and connection-proxy-header over real
// sockets: an upstream that answers with its own name in Location, Refresh and Set-Cookie, and a
// table built by the real builder. The client sees the public names over HTTP/1.1 and HTTP/2; with
// connection-proxy-header close, each request reaches the upstream on a connection of its own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { H2CClient, request } from 'undici';
import { buildAnnotated } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

let plane: Awaited<ReturnType<typeof startPlane>>;
let app: TestUpstream;
let h2: H2CClient;
let base = '';
/** Per request path: the Connection header the upstream got and the socket it came on. */
const arrivals: { path: string; connection: string | undefined; socket: Socket }[] = [];

beforeAll(async () => {
  app = await startUpstream('app', (req, res) => {
    arrivals.push({ path: req.url ?? '', connection: req.headers.connection, socket: req.socket });
    res.writeHead(req.url === '/login' ? 302 : 200, {
      location: 'http://internal.svc:8080/account?tab=1',
      refresh: '3; url=http://internal.svc:8080/later',
      'set-cookie': ['sid=1; Domain=.internal.svc; Path=/; HttpOnly', 'pref=a; Path=/settings', 'other=b; Domain=example.org'],
    });
    res.end('ok');
  });
  plane = await startPlane({ h2c: true });
  const built = buildAnnotated([
    {
      name: 'rewritten', host: 'shop.test',
      annotations: {
        [`${N}proxy-redirect-from`]: 'http://internal.svc:8080/', [`${N}proxy-redirect-to`]: 'https://shop.test/',
        [`${N}proxy-cookie-domain`]: 'internal.svc shop.test', [`${N}proxy-cookie-path`]: '/ /app/',
      },
    },
    { name: 'closing', host: 'closing.test', annotations: { [`${N}connection-proxy-header`]: 'close' } },
    { name: 'plain', host: 'plain.test', annotations: { [`${N}proxy-redirect-from`]: 'default', [`${N}proxy-redirect-to`]: 'https://shop.test/' } },
  ], [app.endpoint]);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${String(plane.httpPort)}`;
  h2 = new H2CClient(base);
});

afterAll(async () => {
  await h2.close();
  await plane.close();
  await app.close();
});

const REWRITTEN = {
  location: 'https://shop.test/account?tab=1',
  refresh: '3; url=https://shop.test/later',
  'set-cookie': ['sid=1; Domain=.shop.test; Path=/app/; HttpOnly', 'pref=a; Path=/app/settings', 'other=b; Domain=example.org'],
};

describe('proxy-redirect and proxy-cookie', () => {
  it('rewrites Location, Refresh and Set-Cookie of an HTTP/1.1 answer', async () => {
    const res = await request(`${base}/login`, { headers: { host: 'shop.test' } });
    await res.body.dump();
    expect(res.statusCode).toBe(302);
    expect({ location: res.headers.location, refresh: res.headers.refresh, 'set-cookie': res.headers['set-cookie'] }).toEqual(REWRITTEN);
  });

  it('rewrites them in an HTTP/2 answer too', async () => {
    const res = await h2.request({ path: '/login', method: 'GET', headers: { host: 'shop.test' } });
    await res.body.dump();
    expect({ location: res.headers.location, refresh: res.headers.refresh, 'set-cookie': res.headers['set-cookie'] }).toEqual(REWRITTEN);
  });

  it('leaves them alone with proxy-redirect-from default', async () => {
    const res = await request(`${base}/`, { headers: { host: 'plain.test' } });
    await res.body.dump();
    expect(res.headers.location).toBe('http://internal.svc:8080/account?tab=1');
    expect(res.headers['set-cookie']).toEqual(['sid=1; Domain=.internal.svc; Path=/; HttpOnly', 'pref=a; Path=/settings', 'other=b; Domain=example.org']);
  });
});

describe('connection-proxy-header', () => {
  const sequentially = async (host: string, path: string, count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const res = await request(`${base}${path}`, { headers: { host } });
      await res.body.dump();
    }
  };

  it('without it, sends keep-alive and reuses the upstream connection', async () => {
    await sequentially('plain.test', '/reused', 3);
    const seen = arrivals.filter((a) => a.path === '/reused');
    expect(seen.map((a) => a.connection)).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
    expect(new Set(seen.map((a) => a.socket)).size).toBe(1);
  });

  it('with close, sends close and opens a connection per request', async () => {
    await sequentially('closing.test', '/closed', 3);
    const seen = arrivals.filter((a) => a.path === '/closed');
    expect(seen.map((a) => a.connection)).toEqual(['close', 'close', 'close']);
    expect(new Set(seen.map((a) => a.socket)).size).toBe(3);
  });
});
