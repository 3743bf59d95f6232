// nginx auth-url's companions over real sockets: the service's Set-Cookie reaching the client
// (auth-always-set-cookie), its answers cached per route (auth-cache-key, auth-cache-duration), and
// keep-alive connections of its own (auth-keepalive, -requests, -share-vars), over HTTP/1.1 and
// HTTP/2. The service decides by the X-Token header the client sends.
import { connect } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

/** Answers set cookies only when the client sends X-Cookie. */
function authService(req: IncomingMessage, res: ServerResponse): void {
  const token = String(req.headers['x-token']);
  const cookies = (values: string[]) => (req.headers['x-cookie'] === undefined ? {} : { 'set-cookie': values });
  if (token === 'ok') res.writeHead(200, { 'x-user': 'ann', ...cookies(['auth=fresh; Path=/', 'seen=1']) });
  else if (token === 'ok-cookie') res.writeHead(200, { 'set-cookie': 'auth=fresh' });
  else if (token === 'ok-private') res.writeHead(200, { 'x-user': 'bob', 'cache-control': 'private' });
  else if (token === 'deny') res.writeHead(403, cookies(['auth=gone']));
  else res.writeHead(401, { 'www-authenticate': 'Bearer', ...cookies(['auth=try']) });
  res.end();
}

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let auth: TestUpstream;
let base = '';
let connections = 0;

async function get(host: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, { headers: { host, ...headers } });
  const text = await res.body.text();
  const cookies = res.headers['set-cookie'];
  return { status: res.statusCode, location: res.headers.location, cookies: cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies], text };
}

async function lookups(result: 'hit' | 'miss'): Promise<number> {
  return (await plane.metrics.authCacheLookups.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
}

beforeAll(async () => {
  web = await startUpstream('web');
  auth = await startUpstream('auth', authService);
  auth.server.on('connection', () => { connections++; });
  plane = await startPlane({ h2c: true });
  const url = { [`${N}auth-url`]: `http://127.0.0.1:${auth.endpoint.port}/verify`, [`${N}auth-response-headers`]: 'X-User' };
  const cache = { [`${N}auth-cache-key`]: '$http_x_token', [`${N}auth-cache-duration`]: '200 10m' };
  const ingresses: IngressSpec[] = [
    { name: 'cookies', host: 'cookies.test', annotations: url },
    { name: 'signin', host: 'signin.test', annotations: { ...url, [`${N}auth-signin`]: 'https://login.test/' } },
    { name: 'always', host: 'always.test', annotations: { ...url, [`${N}auth-always-set-cookie`]: 'true' } },
    { name: 'cached', host: 'cached.test', annotations: { ...url, ...cache }, paths: [{ path: '/a', pathType: 'Prefix' }, { path: '/b', pathType: 'Prefix' }] },
    { name: 'default-cache', host: 'default-cache.test', annotations: { ...url, [`${N}auth-cache-key`]: '$remote_user$http_x_token' } },
    { name: 'bad-cache', host: 'bad-cache.test', annotations: { ...url, [`${N}auth-cache-key`]: '$http_x_token', [`${N}auth-cache-duration`]: 'forever' } },
    { name: 'kept', host: 'kept.test', annotations: { ...url, [`${N}auth-keepalive`]: '4', [`${N}auth-keepalive-requests`]: '1' } },
    { name: 'shared', host: 'shared.test', annotations: { ...url, [`${N}auth-keepalive`]: '4', [`${N}auth-keepalive-share-vars`]: 'true' } },
  ];
  const built = buildAnnotated(ingresses, [web.endpoint]);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.message}`)).toEqual([
    'bad-cache annotation nginx.ingress.kubernetes.io/auth-cache-duration: "forever" is not valid; use status codes then a time, comma-separated, such as "200 202 10m, 401 5m". Answers of the authentication service are not cached',
  ]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
  await auth.close();
});

describe('the service\'s Set-Cookie (auth-always-set-cookie)', () => {
  it('reaches the client with the upstream\'s 2xx answer', async () => {
    const res = await get('cookies.test', '/', { 'x-token': 'ok', 'x-cookie': 'yes' });
    expect(res.status).toBe(200);
    expect(res.cookies).toEqual(['auth=fresh; Path=/', 'seen=1']);
  });

  it('is not sent with a 401 or 403 passed on, unless always; the sign-in redirect carries it', async () => {
    const cookie = { 'x-cookie': 'yes' };
    expect((await get('cookies.test', '/', cookie)).cookies).toEqual([]);
    expect((await get('cookies.test', '/', { ...cookie, 'x-token': 'deny' })).cookies).toEqual([]);
    const signin = await get('signin.test', '/', cookie);
    expect([signin.status, signin.cookies]).toEqual([302, ['auth=try']]);
    const refused = await get('always.test', '/', cookie);
    expect([refused.status, refused.cookies]).toEqual([401, ['auth=try']]);
    expect((await get('always.test', '/', { ...cookie, 'x-token': 'deny' })).cookies).toEqual(['auth=gone']);
  });
});

describe('auth-cache-key, auth-cache-duration', () => {
  it('asks the service once per key, route and listed status; the cached yes still copies its headers', async () => {
    const [hits, misses, asked] = [await lookups('hit'), await lookups('miss'), auth.requests.length];
    for (let i = 0; i < 3; i++) {
      const res = await get('cached.test', '/a/x', { 'x-token': 'ok' });
      expect(res.status).toBe(200);
      expect((JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-user']).toBe('ann');
    }
    expect(auth.requests.length - asked).toBe(1);
    expect([await lookups('hit') - hits, await lookups('miss') - misses]).toEqual([2, 1]);
    // Another route of the same Ingress has a cache of its own, as nginx's per location.
    expect((await get('cached.test', '/b', { 'x-token': 'ok' })).status).toBe(200);
    expect(auth.requests.length - asked).toBe(2);
  });

  it('does not keep statuses the duration does not list, answers that set a cookie or say private', async () => {
    const before = auth.requests.length;
    for (const token of ['deny', 'deny', 'ok-private', 'ok-private']) await get('cached.test', '/a', { 'x-token': token });
    for (let i = 0; i < 2; i++) expect((await get('cached.test', '/a', { 'x-token': 'ok-cookie' })).cookies).toEqual(['auth=fresh']);
    expect(auth.requests.length - before).toBe(6);
  });

  it('keeps 401 by default (200 202 401 5m); an invalid duration caches nothing', async () => {
    await get('default-cache.test', '/', { 'x-token': 'nobody' });
    const before = auth.requests.length;
    expect((await get('default-cache.test', '/', { 'x-token': 'nobody' })).status).toBe(401);
    expect(auth.requests.length).toBe(before);
    await get('bad-cache.test', '/', { 'x-token': 'ok' });
    await get('bad-cache.test', '/', { 'x-token': 'ok' });
    expect(auth.requests.length - before).toBe(2);
  });

  it('over HTTP/2 too', async () => {
    const session = connect(base);
    const asked = auth.requests.length;
    try {
      for (let i = 0; i < 2; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const stream = session.request({ ':path': '/a/h2', ':authority': 'cached.test', 'x-token': 'ok' });
          stream.on('response', (h) => { stream.resume(); stream.on('end', () => { resolve(Number(h[':status'])); }); }).on('error', reject);
          stream.end();
        });
        expect(status).toBe(200);
      }
    } finally {
      session.close();
    }
    // The key (the token) and the route are those of the first test: nothing new to ask.
    expect(auth.requests.length).toBe(asked);
  });
});

describe('auth-keepalive, auth-keepalive-requests, auth-keepalive-share-vars', () => {
  it('closes the service\'s connection after auth-keepalive-requests requests', async () => {
    const before = connections;
    for (let i = 0; i < 3; i++) expect((await get('kept.test', '/', { 'x-token': 'ok' })).status).toBe(200);
    expect(connections - before).toBe(3);
  });

  it('sends the service the upstream\'s X-Request-ID without keep-alive or with share-vars, a different one otherwise', async () => {
    const idOf = async (host: string): Promise<[string, string]> => {
      const res = await get(host, '/', { 'x-token': 'ok' });
      const upstream = (JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-request-id'] ?? '';
      return [String(auth.requests.at(-1)?.headers['x-request-id']), upstream];
    };
    const [plainAuth, plainUp] = await idOf('cookies.test');
    expect(plainAuth).toBe(plainUp);
    const [sharedAuth, sharedUp] = await idOf('shared.test');
    expect(sharedAuth).toBe(sharedUp);
    const [ownAuth, ownUp] = await idOf('kept.test');
    expect(ownAuth).not.toBe(ownUp);
    expect(ownAuth).toMatch(/^[0-9a-f-]{36}$/);
  });
});
