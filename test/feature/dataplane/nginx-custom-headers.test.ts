// nginx custom-headers over real sockets: the ConfigMap's headers reach the client on the upstream's
// answers, replacing the upstream's value of the same header; a missing ConfigMap leaves the route
// serving without them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated, type ConfigMapSpec, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

const CONFIG_MAPS: readonly ConfigMapSpec[] = [
  { name: 'security-headers', data: { 'X-Frame-Options': 'DENY', 'X-Upstream': 'replaced', 'Content-Length': '0' } },
];
const INGRESSES: readonly IngressSpec[] = [
  { name: 'web', host: 'web.test', annotations: { [`${N}custom-headers`]: 'shop/security-headers' } },
  { name: 'missing', host: 'missing.test', annotations: { [`${N}custom-headers`]: 'nowhere' } },
];

let upstream: TestUpstream;
let plane: Awaited<ReturnType<typeof startPlane>>;

beforeAll(async () => {
  upstream = await startUpstream('web');
  plane = await startPlane();
  const built = buildAnnotated(INGRESSES, [upstream.endpoint], [], {}, CONFIG_MAPS);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.reason}`).sort()).toEqual(['missing ConfigMapNotFound', 'web InvalidCustomHeaders']);
  plane.tables.publish(built.table);
});

afterAll(async () => {
  await plane.close();
  await upstream.close();
});

async function get(host: string) {
  const res = await request(`http://127.0.0.1:${plane.httpPort}/`, { headers: { host } });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe('custom-headers', () => {
  it('adds the ConfigMap\'s headers to the answer, replacing the upstream\'s, and leaves framing headers alone', async () => {
    const res = await get('web.test');
    expect(res.status).toBe(200);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-upstream']).toBe('replaced');
    expect(res.headers['content-length']).not.toBe('0');
    expect((JSON.parse(res.text) as { upstream: string }).upstream).toBe('web');
  });

  it('serves without them while the ConfigMap is missing', async () => {
    const res = await get('missing.test');
    expect(res.status).toBe(200);
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-upstream']).toBe('web');
  });
});
