// HTTP/1.1 proxying through the real data plane: routing answers, streaming both ways,
// forwarding headers, HEAD/204/304, and the request-path rules.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { deadEndpoint, hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let admin: TestUpstream;
let base = '';

beforeAll(async () => {
  web = await startUpstream('web');
  admin = await startUpstream('admin', (req, res) => {
    if (req.url === '/admin/empty') return void res.writeHead(204).end();
    if (req.url === '/admin/cached') return void res.writeHead(304, { etag: '"v1"' }).end();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' }).end(req.method === 'HEAD' ? undefined : 'admin');
  });
  plane = await startPlane();
  const w = upstream('web', [web.endpoint]);
  const a = upstream('admin', [admin.endpoint]);
  plane.tables.publish(table({
    'shop.test': hostRoutes(route('/', w), route('/admin', a), route('/empty', upstream('empty', [])), route('/down', upstream('down', [await deadEndpoint()]))),
  }));
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await Promise.all([web.close(), admin.close()]);
});

const get = async (path: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' | 'POST' = 'GET', body?: string) => {
  const res = await request(`${base}${path}`, { method, headers: { host: 'shop.test', ...headers }, ...(body === undefined ? {} : { body }) });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
};

describe('routing answers', () => {
  it('proxies to the matching route and answers 404 for no route', async () => {
    expect(JSON.parse((await get('/x?q=1')).text)).toMatchObject({ upstream: 'web', url: '/x?q=1' });
    expect((await get('/admin/x')).text).toBe('admin');
    expect((await get('/', { host: 'other.test' })).status).toBe(404);
  });

  it('answers 503 for no endpoints and 502 for an endpoint that refuses', async () => {
    expect((await get('/empty')).status).toBe(503);
    expect((await get('/down', {}, 'POST', 'x')).status).toBe(502);
  });

  it('normalises the path before matching and forwards the normalised path', async () => {
    const r = await get('/public/../admin/x');
    expect(r.text).toBe('admin');
    expect(admin.requests.at(-1)?.url).toBe('/admin/x');
    expect(JSON.parse((await get('//x//y/./z')).text)).toMatchObject({ url: '/x/y/z' });
  });
});

describe('bodies', () => {
  it('streams a large request body and a large response body', async () => {
    const big = 'a'.repeat(3 * 1024 * 1024);
    const r = await get('/echo', {}, 'POST', big);
    expect((JSON.parse(r.text) as { body: string }).body.length).toBe(big.length);
  });

  it('passes HEAD, 204 and 304 without bodies', async () => {
    const head = await get('/admin/h', {}, 'HEAD');
    expect([head.status, head.headers['content-length'], head.text]).toEqual([200, '5', '']);
    expect((await get('/admin/empty')).status).toBe(204);
    const cached = await get('/admin/cached', { 'if-none-match': '"v1"' });
    expect([cached.status, cached.text]).toEqual([304, '']);
  });
});

describe('forwarding headers', () => {
  it('sets X-Forwarded-*, Forwarded and X-Request-Id and keeps the Host', async () => {
    const r = JSON.parse((await get('/h', { 'x-forwarded-for': '203.0.113.9' })).text) as { headers: Record<string, string> };
    expect(r.headers.host).toBe('shop.test');
    expect(r.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(r.headers['x-forwarded-proto']).toBe('http');
    expect(r.headers['x-forwarded-port']).toBe('80');
    expect(r.headers.forwarded).toBe('for=127.0.0.1;host="shop.test";proto=http');
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
