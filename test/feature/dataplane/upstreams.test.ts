// Upstream behaviour: round-robin, least-request, retries on connect failure for idempotent
// requests only, passive health ejection, and pool reuse across table swaps.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { deadEndpoint, hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let a: TestUpstream;
let b: TestUpstream;
let slow: TestUpstream;
let base = '';

beforeAll(async () => {
  [a, b] = await Promise.all([startUpstream('a'), startUpstream('b')]);
  slow = await startUpstream('slow', (_req, res) => { setTimeout(() => { res.end('slow'); }, 300); });
  plane = await startPlane({ options: { ...defaultDataPlaneOptions, retries: 2, ejectAfterFailures: 2, ejectMs: 60_000 } });
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await Promise.all([a.close(), b.close(), slow.close()]);
});

const hit = async (host: string, method: 'GET' | 'POST' = 'GET') => {
  const res = await request(`${base}/`, { method, headers: { host }, ...(method === 'POST' ? { body: 'x' } : {}) });
  return { status: res.statusCode, upstream: res.headers['x-upstream'], text: await res.body.text() };
};

describe('load balancing', () => {
  it('round-robin alternates between endpoints', async () => {
    plane.tables.publish(table({ 'rr.test': hostRoutes(route('/', upstream('rr', [a.endpoint, b.endpoint]))) }));
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await hit('rr.test')).upstream);
    expect(seen.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('least-request avoids the endpoint that is busy', async () => {
    // Make the slow endpoint busy first (it is the only one), then offer both.
    plane.tables.publish(table({ 'lr.test': hostRoutes(route('/', upstream('lr', [slow.endpoint]))) }));
    const busy = hit('lr.test');
    await new Promise<void>((resolve) => { slow.server.once('request', () => { resolve(); }); });
    plane.tables.publish(table({ 'lr.test': hostRoutes(route('/', upstream('lr', [slow.endpoint, a.endpoint]), { loadBalancing: 'least-request' })) }));
    const quick = [];
    for (let i = 0; i < 10; i++) quick.push(await hit('lr.test'));
    expect((await busy).text).toBe('slow');
    expect(quick.filter((r) => r.text === 'slow')).toEqual([]);
  });
});

describe('failures', () => {
  it('retries an idempotent request on another endpoint when connecting fails', async () => {
    const dead = await deadEndpoint();
    plane.tables.publish(table({ 'retry.test': hostRoutes(route('/', upstream('retry', [dead, a.endpoint]))) }));
    const statuses = await Promise.all(Array.from({ length: 6 }, () => hit('retry.test')));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('does not retry a request with a body: it answers 502', async () => {
    const dead = await deadEndpoint();
    plane.tables.publish(table({ 'post.test': hostRoutes(route('/', upstream('post', [dead]))) }));
    expect((await hit('post.test', 'POST')).status).toBe(502);
  });

  it('answers 502 upstream unavailable when every endpoint tried refused an idempotent request', async () => {
    const dead = await deadEndpoint();
    plane.tables.publish(table({ 'refused.test': hostRoutes(route('/', upstream('refused', [dead]))) }));
    expect(await hit('refused.test')).toMatchObject({ status: 502, text: 'upstream unavailable\n' });
  });

  it('ejects an endpoint after consecutive failures and stops sending to it', async () => {
    const dead = await deadEndpoint();
    plane.tables.publish(table({ 'eject.test': hostRoutes(route('/', upstream('eject', [dead, b.endpoint]))) }));
    for (let i = 0; i < 4; i++) await hit('eject.test');
    const ejections = await plane.metrics.upstreamEjections.get();
    expect(ejections.values.find((v) => v.labels.service === 'test/eject:80')?.value).toBe(1);
    const before = b.requests.length;
    for (let i = 0; i < 4; i++) expect((await hit('eject.test')).upstream).toBe('b');
    expect(b.requests.length - before).toBe(4);
  });
});

describe('table swaps', () => {
  it('drops no request while tables are swapped under continuous load', async () => {
    const build = (n: number) => table({ 'swap.test': hostRoutes(route('/', upstream('swap', n % 2 === 0 ? [a.endpoint, b.endpoint] : [b.endpoint]))) });
    plane.tables.publish(build(0));
    let swaps = 0;
    const stop = new AbortController();
    const swapper = (async () => {
      while (!stop.signal.aborted) {
        plane.tables.publish(build(++swaps));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const results = await Promise.all(Array.from({ length: 8 }, async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) statuses.push((await hit('swap.test')).status);
      return statuses;
    }));
    stop.abort();
    await swapper;
    const all = results.flat();
    expect(all.length).toBe(400);
    expect(all.filter((s) => s !== 200)).toEqual([]);
    expect(swaps).toBeGreaterThan(10);
  });
});
