// --global-auth-url (ingress-nginx's global-auth-url) over real sockets: every Ingress route asks
// the controller-wide authentication service, an Ingress with enable-global-auth "false" does not,
// and an Ingress's own auth-url is asked instead of it. HTTP/1.1 and HTTP/2.
import { connect } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildGlobalAuth } from '../../../src/routing/nginx/global-auth.ts';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let global: TestUpstream;
let own: TestUpstream;
let base = '';

const byToken = (wanted: string) => (req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(req.headers['x-token'] === wanted ? 200 : 401, { 'x-user': wanted }).end();
};

async function get(host: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}/`, { headers: { host, ...headers } });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

beforeAll(async () => {
  web = await startUpstream('web');
  global = await startUpstream('global', byToken('global'));
  own = await startUpstream('own', byToken('own'));
  plane = await startPlane({ h2c: true });
  const globalAuth = buildGlobalAuth({
    url: `http://127.0.0.1:${global.endpoint.port}/verify`, method: 'GET', signin: '', responseHeaders: 'X-User', requestRedirect: '',
    alwaysSetCookie: false, cacheKey: '', cacheDuration: '200 202 401 5m',
  });
  const ingresses: IngressSpec[] = [
    { name: 'plain', host: 'plain.test', annotations: {} },
    { name: 'opted-out', host: 'opted-out.test', annotations: { [`${N}enable-global-auth`]: 'false' } },
    { name: 'own', host: 'own.test', annotations: { [`${N}auth-url`]: `http://127.0.0.1:${own.endpoint.port}/verify` } },
    { name: 'odd', host: 'odd.test', annotations: { [`${N}enable-global-auth`]: 'perhaps' } },
    { name: 'solver', host: 'plain.test', annotations: {}, paths: [{ path: '/.well-known/acme-challenge/token', pathType: 'Exact' }] },
  ];
  const built = buildAnnotated(ingresses, [web.endpoint], [], globalAuth === undefined ? {} : { globalAuth });
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.message}`)).toEqual([
    'odd annotation nginx.ingress.kubernetes.io/enable-global-auth: "perhaps" is not valid; use "true" or "false". The global authentication applies',
  ]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
  await global.close();
  await own.close();
});

describe('global auth', () => {
  it('guards an Ingress without annotations, copying the service\'s headers like auth-url', async () => {
    expect((await get('plain.test')).status).toBe(401);
    const res = await get('plain.test', { 'x-token': 'global' });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-user']).toBe('global');
  });

  it('is not asked for an Ingress with enable-global-auth "false"', async () => {
    const before = global.requests.length;
    expect((await get('opted-out.test')).status).toBe(200);
    expect(global.requests.length).toBe(before);
  });

  it('gives way to the Ingress\'s own auth-url', async () => {
    const before = global.requests.length;
    expect((await get('own.test', { 'x-token': 'global' })).status).toBe(401);
    expect((await get('own.test', { 'x-token': 'own' })).status).toBe(200);
    expect(global.requests.length).toBe(before);
  });

  it('leaves ACME HTTP-01 challenge routes alone (ingress-nginx\'s no-auth-locations)', async () => {
    const res = await request(`${base}/.well-known/acme-challenge/token`, { headers: { host: 'plain.test' } });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
  });

  it('still applies when enable-global-auth cannot be read', async () => {
    expect((await get('odd.test')).status).toBe(401);
  });

  it('over HTTP/2 too', async () => {
    const session = connect(base);
    try {
      const status = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/', ':authority': 'plain.test', ...headers });
        stream.on('response', (h) => { stream.resume(); stream.on('end', () => { resolve(Number(h[':status'])); }); }).on('error', reject);
        stream.end();
      });
      expect(await status({})).toBe(401);
      expect(await status({ 'x-token': 'global' })).toBe(200);
    } finally {
      session.close();
    }
  });
});
