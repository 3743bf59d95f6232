// nginx canary over real sockets: a main Ingress and its canary Ingress built into one route by the
// real builder, two real upstreams, and which one each request reaches: by header, by cookie, by
// weight, in ingress-nginx's order.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { parseFixture } from '../../support/routing/fixture-snapshot.ts';
import { buildFixture } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';
import { shopIngress, shopService } from './shop-objects.ts';

const N = 'nginx.ingress.kubernetes.io/';

let plane: Awaited<ReturnType<typeof startPlane>>;
let stable: TestUpstream;
let canary: TestUpstream;
let base = '';

async function reached(host: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await request(`${base}/`, { headers: { host, ...headers } });
  await res.body.dump();
  return String(res.headers['x-upstream']);
}

beforeAll(async () => {
  stable = await startUpstream('stable');
  canary = await startUpstream('canary');
  plane = await startPlane();
  const web = shopService('web', stable.endpoint.port);
  const v2 = shopService('web-v2', canary.endpoint.port);
  const fixture = parseFixture({
    ingresses: [
      shopIngress('main', 'shop.test', 'web', {}),
      shopIngress('main-canary', 'shop.test', 'web-v2', { [`${N}canary`]: 'true', [`${N}canary-by-header`]: 'X-Canary', [`${N}canary-by-cookie`]: 'canary' }),
      shopIngress('valued', 'valued.test', 'web', {}),
      shopIngress('valued-canary', 'valued.test', 'web-v2', { [`${N}canary`]: 'true', [`${N}canary-by-header`]: 'X-Region', [`${N}canary-by-header-value`]: 'eu-west', [`${N}canary-weight`]: '100' }),
      shopIngress('pattern', 'pattern.test', 'web', {}),
      shopIngress('pattern-canary', 'pattern.test', 'web-v2', { [`${N}canary`]: 'true', [`${N}canary-by-header`]: 'X-User', [`${N}canary-by-header-pattern`]: '^(ann|bob)$' }),
      shopIngress('half', 'half.test', 'web', {}),
      shopIngress('half-canary', 'half.test', 'web-v2', { [`${N}canary`]: 'true', [`${N}canary-weight`]: '1', [`${N}canary-weight-total`]: '2' }),
    ],
    services: [web.service, v2.service],
    endpointSlices: [web.slice, v2.slice],
    requests: [], diagnostics: [], served: [],
  });
  const built = buildFixture(fixture);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await stable.close();
  await canary.close();
});

describe('canary, canary-by-header, canary-by-cookie', () => {
  it('sends a request without header or cookie (weight 0) to the main backend', async () => {
    expect(await reached('shop.test')).toBe('stable');
  });

  it('header "always" / "never" decides, before the cookie', async () => {
    expect(await reached('shop.test', { 'x-canary': 'always' })).toBe('canary');
    expect(await reached('shop.test', { 'x-canary': 'never', cookie: 'canary=always' })).toBe('stable');
  });

  it('another header value falls through to the cookie', async () => {
    expect(await reached('shop.test', { 'x-canary': 'maybe', cookie: 'a=1; canary=always' })).toBe('canary');
    expect(await reached('shop.test', { cookie: 'canary=never' })).toBe('stable');
  });
});

describe('canary-by-header-value, canary-by-header-pattern, canary-weight(-total)', () => {
  it('an exact header value sends to the canary; another value falls through to the weight', async () => {
    expect(await reached('valued.test', { 'x-region': 'eu-west' })).toBe('canary');
    expect(await reached('valued.test', { 'x-region': 'us-east' })).toBe('canary');
  });

  it('a matching pattern sends to the canary, a value that does not match stays on the main backend', async () => {
    expect(await reached('pattern.test', { 'x-user': 'bob' })).toBe('canary');
    expect(await reached('pattern.test', { 'x-user': 'carol' })).toBe('stable');
  });

  it('weight 1 of 2 reaches both backends over a bounded number of requests', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 64 && seen.size < 2; i++) seen.add(await reached('half.test'));
    expect([...seen].sort()).toEqual(['canary', 'stable']);
  });
});
