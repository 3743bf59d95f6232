// nginx auth-proxy-set-headers over real sockets: the ConfigMap's entries are request headers of
// the call to auth-url's service, nginx variables filled in; the upstream never sees them. A
// missing ConfigMap, or one with an entry that cannot be sent, refuses the routes (503), as
// ingress-nginx denies the location; without auth-url the annotation does nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated, type ConfigMapSpec, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let auth: TestUpstream;
let base = '';

async function get(host: string, path = '/') {
  const res = await request(`${base}${path}`, { headers: { host } });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

beforeAll(async () => {
  web = await startUpstream('web');
  auth = await startUpstream('auth', (_req, res) => { res.writeHead(200).end(); });
  plane = await startPlane();
  const url = { [`${N}auth-url`]: `http://127.0.0.1:${auth.endpoint.port}/verify` };
  const ingresses: IngressSpec[] = [
    { name: 'tenant', host: 'tenant.test', annotations: { ...url, [`${N}auth-proxy-set-headers`]: 'shop/auth-headers' } },
    { name: 'missing', host: 'missing.test', annotations: { ...url, [`${N}auth-proxy-set-headers`]: 'nowhere' } },
    { name: 'elsewhere', host: 'elsewhere.test', annotations: { ...url, [`${N}auth-proxy-set-headers`]: 'other/auth-headers' } },
    { name: 'unusable', host: 'unusable.test', annotations: { ...url, [`${N}auth-proxy-set-headers`]: 'bad-headers' } },
    { name: 'no-url', host: 'no-url.test', annotations: { [`${N}auth-proxy-set-headers`]: 'nowhere' } },
  ];
  const configMaps: ConfigMapSpec[] = [
    { name: 'auth-headers', data: { 'X-Tenant': 'shop', 'X-Asked-For': '$scheme://$host$request_uri' } },
    { name: 'bad-headers', data: { 'X-Ok': 'fine', 'X Space': 'no', Host: 'evil.test', 'X-Var': '$upstream_addr' } },
  ];
  const built = buildAnnotated(ingresses, [web.endpoint], [], {}, configMaps);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.reason}`)).toEqual(['elsewhere InvalidAnnotation', 'missing ConfigMapNotFound', 'unusable InvalidAuthProxyHeaders']);
  expect(built.diagnostics.find((d) => d.reason === 'InvalidAuthProxyHeaders')?.message).toContain(': Host, X Space, X-Var. Requests to its routes are refused (503)');
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
  await auth.close();
});

describe('auth-proxy-set-headers', () => {
  it('sends the ConfigMap\'s headers to the service with the variables filled in, and not upstream', async () => {
    const res = await get('tenant.test', '/orders?id=7');
    expect(res.status).toBe(200);
    expect(auth.requests.at(-1)?.headers).toMatchObject({ 'x-tenant': 'shop', 'x-asked-for': 'http://tenant.test/orders?id=7' });
    expect((JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-tenant']).toBeUndefined();
  });

  it('refuses (503) while the ConfigMap is missing, elsewhere or unusable, without asking the service or the upstream', async () => {
    const [asked, served] = [auth.requests.length, web.requests.length];
    for (const host of ['missing.test', 'elsewhere.test', 'unusable.test']) expect((await get(host)).status).toBe(503);
    expect([auth.requests.length - asked, web.requests.length - served]).toEqual([0, 0]);
  });

  it('does nothing without auth-url', async () => {
    expect((await get('no-url.test')).status).toBe(200);
  });
});
