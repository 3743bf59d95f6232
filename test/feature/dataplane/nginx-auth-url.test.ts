// nginx auth-url (forward authentication) over real sockets: a real authentication service, data
// plane and upstream. What the service is sent, what its answers become for the client, and that
// the upstream is only asked once the service said yes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { deadEndpoint, startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

/** The service decides by the X-Token header the client sends. */
function authService(req: IncomingMessage, res: ServerResponse): void {
  const token = req.headers['x-token'];
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
    if (token === 'ok') res.writeHead(200, { 'x-auth-request-user': 'ann', 'x-auth-request-email': 'ann@example.com', 'x-other': 'kept here' });
    else if (token === 'deny') res.writeHead(403);
    else if (token === 'boom') res.writeHead(502);
    else res.writeHead(401, { 'www-authenticate': 'Bearer realm="shop"' });
    res.end(`seen ${Buffer.concat(chunks).length} body bytes`);
  });
}

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let auth: TestUpstream;
let base = '';

async function get(host: string, path: string, headers: Record<string, string> = {}, init: { method?: string; body?: string } = {}) {
  const res = await request(`${base}${path}`, { method: (init.method ?? 'GET') as 'GET', headers: { host, ...headers }, body: init.body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

beforeAll(async () => {
  web = await startUpstream('web');
  auth = await startUpstream('auth', authService);
  plane = await startPlane();
  const verify = `http://127.0.0.1:${auth.endpoint.port}/verify`;
  const dead = await deadEndpoint();
  const ingresses: IngressSpec[] = [
    { name: 'guarded', host: 'guarded.test', annotations: { [`${N}auth-url`]: `${verify}?host=$host`, [`${N}auth-response-headers`]: 'X-Auth-Request-User, X-Auth-Request-Email' } },
    { name: 'signin', host: 'signin.test', annotations: { [`${N}auth-url`]: verify, [`${N}auth-signin`]: 'https://login.test/start', [`${N}auth-method`]: 'POST', [`${N}auth-request-redirect`]: '/home' } },
    { name: 'down', host: 'down.test', annotations: { [`${N}auth-url`]: `http://127.0.0.1:${dead.port}/verify` } },
    { name: 'broken', host: 'broken.test', annotations: { [`${N}auth-url`]: 'not-a-url' } },
  ];
  const built = buildAnnotated(ingresses, [web.endpoint]);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.reason}`)).toEqual(['broken InvalidAnnotation']);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
  await auth.close();
});

describe('auth-url, auth-response-headers', () => {
  it('forwards when the service answers 2xx, with the listed headers of its answer and no others', async () => {
    const res = await get('guarded.test', '/orders/7?x=1', { 'x-token': 'ok' });
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.text) as { url: string; headers: Record<string, string> };
    expect(echo.url).toBe('/orders/7?x=1');
    expect([echo.headers['x-auth-request-user'], echo.headers['x-auth-request-email'], echo.headers['x-other']]).toEqual(['ann', 'ann@example.com', undefined]);
  });

  it('sends the service the client headers and the X-Original-* headers, fills in $host, and never the body', async () => {
    const before = auth.requests.length;
    await get('guarded.test', '/orders?page=2', { 'x-token': 'ok', cookie: 'session=abc' }, { method: 'POST', body: 'secret body' });
    const seen = auth.requests[before];
    expect(seen?.method).toBe('GET');
    expect(seen?.url).toBe('/verify?host=guarded.test');
    expect(seen?.headers).toMatchObject({
      'x-original-url': 'http://guarded.test/orders?page=2', 'x-original-method': 'POST', 'x-auth-request-redirect': '/orders?page=2',
      'x-sent-from': 'nginx-ingress-controller', 'x-real-ip': '127.0.0.1', 'x-forwarded-proto': 'http', cookie: 'session=abc', host: `127.0.0.1:${auth.endpoint.port}`,
    });
    expect(seen?.headers['content-length']).toBeUndefined();
  });

  it('passes 401 on with the service\'s challenge, and 403 as it is; the upstream is not asked', async () => {
    const before = web.requests.length;
    const denied = await get('guarded.test', '/');
    expect([denied.status, denied.headers['www-authenticate']]).toEqual([401, 'Bearer realm="shop"']);
    expect((await get('guarded.test', '/', { 'x-token': 'deny' })).status).toBe(403);
    expect(web.requests.length).toBe(before);
  });

  it('answers 500 when the service fails or cannot be reached', async () => {
    expect((await get('guarded.test', '/', { 'x-token': 'boom' })).status).toBe(500);
    expect((await get('down.test', '/', { 'x-token': 'ok' })).status).toBe(500);
  });

  it('refuses (503) a route whose auth-url is invalid instead of opening it', async () => {
    expect((await get('broken.test', '/', { 'x-token': 'ok' })).status).toBe(503);
  });
});

describe('auth-signin, auth-method, auth-request-redirect', () => {
  it('turns a 401 into a 302 to the sign-in URL with rd= the original URL', async () => {
    const res = await get('signin.test', '/cart?item=a b'.replace(' ', '%20'));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`https://login.test/start?rd=${encodeURIComponent('http://signin.test/cart?item=a%20b')}`);
  });

  it('asks with the configured method and X-Auth-Request-Redirect', async () => {
    const before = auth.requests.length;
    expect((await get('signin.test', '/', { 'x-token': 'ok' })).status).toBe(200);
    expect([auth.requests[before]?.method, auth.requests[before]?.headers['x-auth-request-redirect']]).toEqual(['POST', '/home']);
  });
});
