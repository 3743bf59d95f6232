// nginx limit-rpm / limit-rps over real sockets: a burst passes, the next request of that client is
// refused with the configured status, another client (by X-Forwarded-For from a trusted proxy) has a
// bucket of its own, exempt addresses are never limited and each Ingress counts apart. Rates are per
// minute with a burst of 1 × the rate, so no refill can happen while a test runs.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
type Plane = Awaited<ReturnType<typeof startPlane>>;

let upstream: TestUpstream;
/** Answers of /hold requests, kept open until a test ends them. */
const held: ServerResponse[] = [];
let onHeld: (() => void) | undefined;
let plane: Plane;
let custom: Plane;

const limited = (extra: Record<string, string> = {}) => ({ [`${N}limit-rpm`]: '1', [`${N}limit-burst-multiplier`]: '1', ...extra });

async function status(p: Plane, host: string, forwardedFor?: string, path = '/'): Promise<number> {
  const res = await request(`http://127.0.0.1:${p.httpPort}${path}`, { headers: { host, ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }) } });
  await res.body.dump();
  return res.statusCode;
}

async function statuses(p: Plane, host: string, n: number, forwardedFor?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await status(p, host, forwardedFor));
  return out;
}

beforeAll(async () => {
  upstream = await startUpstream('web', (req, res) => {
    if (req.url?.startsWith('/hold') === true) {
      held.push(res);
      onHeld?.();
      return;
    }
    res.writeHead(200, { 'x-upstream': 'web' }).end('ok');
  });
  const ingresses: IngressSpec[] = [
    { name: 'one', host: 'one.test', annotations: limited() },
    { name: 'two', host: 'two.test', annotations: limited() },
    { name: 'exempt', host: 'exempt.test', annotations: limited({ [`${N}limit-whitelist`]: '10.0.0.0/8, 127.0.0.1' }) },
    { name: 'proxied', host: 'proxied.test', annotations: limited() },
    { name: 'plain', host: 'plain.test', annotations: {} },
    { name: 'conn', host: 'conn.test', annotations: { [`${N}limit-connections`]: '1' } },
  ];
  // Everything afterAll closes is started before anything here can fail.
  plane = await startPlane({ options: { ...defaultDataPlaneOptions, trustedProxies: ['127.0.0.1/32'] } });
  custom = await startPlane({ options: { ...defaultDataPlaneOptions, limitRejectionStatus: 429 } });
  const built = buildAnnotated(ingresses, [upstream.endpoint]);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
  custom.tables.publish(buildAnnotated(ingresses, [upstream.endpoint]).table);
});

afterAll(async () => {
  for (const res of held) res.end();
  await plane.close();
  await custom.close();
  await upstream.close();
});

describe('limit-rpm, limit-burst-multiplier', () => {
  it('serves the burst (rate × multiplier, plus one as nginx) and refuses the next request with 503', async () => {
    expect(await statuses(plane, 'one.test', 3)).toEqual([200, 200, 503]);
    expect(upstream.requests.filter((r) => r.headers.host === 'one.test')).toHaveLength(2);
  });

  it('counts each Ingress apart, though their limits are equal', async () => {
    expect(await statuses(plane, 'two.test', 3)).toEqual([200, 200, 503]);
  });

  it('gives each client address (after trusted proxies) a bucket of its own', async () => {
    expect(await statuses(plane, 'proxied.test', 3, '203.0.113.7')).toEqual([200, 200, 503]);
    expect(await statuses(plane, 'proxied.test', 2, '203.0.113.8')).toEqual([200, 200]);
  });

  it('never limits an address in limit-whitelist, nor a route without limits', async () => {
    expect(await statuses(plane, 'exempt.test', 5)).toEqual([200, 200, 200, 200, 200]);
    expect(await statuses(plane, 'plain.test', 5)).toEqual([200, 200, 200, 200, 200]);
  });

  it('answers with --limit-rejection-status when it is set', async () => {
    expect(await statuses(custom, 'one.test', 3)).toEqual([200, 200, 429]);
  });
});

describe('limit-connections', () => {
  it('refuses a client\'s request while its limit of requests is in progress, and serves again once one ends', async () => {
    const arrived = new Promise<void>((resolve) => { onHeld = resolve; });
    const first = status(plane, 'conn.test', undefined, '/hold');
    await arrived;
    expect(await status(plane, 'conn.test')).toBe(503);
    expect(await status(plane, 'conn.test', '203.0.113.9')).toBe(200);
    held.shift()?.writeHead(200).end('done');
    expect(await first).toBe(200);
    expect(await statuses(plane, 'conn.test', 2)).toEqual([200, 200]);
  });
});
