// nginx global-rate-limit over real sockets with a real etcd (Debian's etcd-server on free loopback
// ports, stopped by PID) and two data planes standing for two replicas, each with its own holder of
// shared counts (and etcd client) as a controller process has. The windows run on one injected
// clock and the counts are exchanged when the test says (flush), so nothing waits on time: requests
// spread over both replicas are refused once their sum reaches the limit, another key is not, an
// ignored address never is, and two windows later the key is admitted again. Without etcd, and with
// an etcd that does not answer, each replica limits on its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { connectEtcd } from '../../../src/acme/etcd-connection.ts';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { startSharedCounts, type SharedCounts } from '../../../src/global-rate/start-shared-counts.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { startEtcd, type Etcd } from '../../harness/etcd.ts';
import { freePort } from '../../harness/free-port.ts';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const WINDOW_MS = 60_000;
/** A data plane with the metrics its replica's controller process and it record to. */
type Plane = Awaited<ReturnType<typeof startPlane>> & { readonly recorded: ReturnType<typeof createMetrics> };

/** Wall clock of the windows, shared by both replicas: the start of a window. */
let now = 28_333_334 * WINDOW_MS;
let dir: string;
let etcd: Etcd | undefined;
let upstream: TestUpstream;
const counts: SharedCounts[] = [];
const planes: Plane[] = [];
let replicaA: Plane;
let replicaB: Plane;

const ingresses: IngressSpec[] = [
  {
    name: 'api', host: 'api.test',
    annotations: {
      [`${N}global-rate-limit`]: '4', [`${N}global-rate-limit-window`]: '1m',
      [`${N}global-rate-limit-key`]: '$http_x_api_client', [`${N}global-rate-limit-ignored-cidrs`]: '10.0.0.0/8',
    },
    paths: [{ path: '/', pathType: 'Prefix' }, { path: '/v2', pathType: 'Prefix' }],
  },
  { name: 'solo', host: 'solo.test', annotations: { [`${N}global-rate-limit`]: '2', [`${N}global-rate-limit-window`]: '1m' } },
];

async function replica(name: string, endpoints: readonly string[]): Promise<Plane> {
  const metrics = createMetrics({ processMetrics: false });
  const shared = await startSharedCounts({
    etcdEndpoints: endpoints, etcdCaFile: '', etcdCertFile: '', etcdKeyFile: '', globalRateLimitEtcdPrefix: '/grl-test/', podName: name,
  }, { log: silentLogger, metrics, now: () => now });
  counts.push(shared);
  // The interval never fires in a test: flush() exchanges the counts.
  const plane = await startPlane(
    { options: { ...defaultDataPlaneOptions, trustedProxies: ['127.0.0.1/32'], globalRateLimitSyncMs: 3_600_000 } },
    { globalRateSync: (items) => shared.sync('self', items), globalRateClock: () => now, metrics },
  );
  plane.tables.publish(buildAnnotated(ingresses, [upstream.endpoint]).table);
  const withMetrics = Object.assign(plane, { recorded: metrics });
  planes.push(withMetrics);
  return withMetrics;
}

async function status(p: Plane, host: string, headers: Record<string, string> = {}, path = '/'): Promise<number> {
  const res = await request(`http://127.0.0.1:${p.httpPort}${path}`, { headers: { host, ...headers } });
  await res.body.dump();
  return res.statusCode;
}

const client = (name: string): Record<string, string> => ({ 'x-api-client': name });
const syncBoth = async (): Promise<void> => {
  await replicaA.syncGlobalRateLimits();
  await replicaB.syncGlobalRateLimits();
  await replicaA.syncGlobalRateLimits();
};
const gauge = async (p: Plane, name: string): Promise<number | undefined> =>
  (await p.recorded.controllerRegistry.getSingleMetric(name)?.get())?.values[0]?.value;
const counter = async (p: Plane, name: string): Promise<number> =>
  (await p.recorded.dataPlaneRegistry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bollard-grl-etcd-'));
  upstream = await startUpstream('web');
  etcd = await startEtcd({ dir });
  replicaA = await replica('replica-a', [etcd.url]);
  replicaB = await replica('replica-b', [etcd.url]);
}, 60_000);

afterAll(async () => {
  for (const p of planes) await p.close();
  for (const c of counts) await c.close();
  await upstream.close();
  await etcd?.process.stop();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('global-rate-limit shared by two replicas through etcd', () => {
  it('refuses with 429 on both replicas once their requests together reach the limit', async () => {
    expect([await status(replicaA, 'api.test', client('alpha')), await status(replicaA, 'api.test', client('alpha'), '/v2/x')]).toEqual([200, 200]);
    await syncBoth();
    // Replica B learns a key's shared count at its first exchange after it first sees the key.
    expect(await status(replicaB, 'api.test', client('alpha'))).toBe(200);
    await syncBoth();
    // B now knows of A's two and its own: one more fits, the fifth does not.
    expect([await status(replicaB, 'api.test', client('alpha')), await status(replicaB, 'api.test', client('alpha'))]).toEqual([200, 429]);
    await syncBoth();
    expect(await status(replicaA, 'api.test', client('alpha'))).toBe(429);
    expect(await counter(replicaB, 'bollard_global_rate_limit_rejections_total')).toBe(1);
    expect(await gauge(replicaA, 'bollard_global_rate_limit_shared')).toBe(1);
  });

  it('keeps one key per replica and window in etcd, under a lease of two windows, naming no client', async () => {
    const connection = await connectEtcd({ endpoints: [etcd?.url ?? ''] });
    try {
      const { kvs } = await connection.client.getAll().prefix('/grl-test/').exec();
      const keys = kvs.map((kv) => kv.key.toString());
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.filter((k) => k.includes('/replica-a-')).length).toBeGreaterThan(0);
      expect(keys.filter((k) => k.includes('/replica-b-')).length).toBeGreaterThan(0);
      expect(keys.some((k) => k.includes('alpha'))).toBe(false);
      for (const kv of kvs) {
        expect(kv.lease).not.toBe('0');
        const ttl = await connection.client.leaseClient.leaseTimeToLive({ ID: kv.lease });
        expect(Number(ttl.grantedTTL)).toBe(2 * 60 + 10);
      }
    } finally {
      await connection.close();
    }
  });

  it('does not limit another key', async () => {
    expect(await status(replicaA, 'api.test', client('beta'))).toBe(200);
    expect(await status(replicaB, 'api.test', client('beta'))).toBe(200);
  });

  it('never limits an ignored address (X-Forwarded-For from the trusted proxy)', async () => {
    const results: number[] = [];
    for (let i = 0; i < 6; i++) results.push(await status(i % 2 === 0 ? replicaA : replicaB, 'api.test', { ...client('alpha'), 'x-forwarded-for': '10.1.2.3' }));
    expect(results).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('admits the key again once the window and the next have passed (the sliding estimate forgets it)', async () => {
    now += WINDOW_MS + WINDOW_MS / 2;
    // Half into the next window, half of the previous 4 still count: two more fit.
    expect([await status(replicaB, 'api.test', client('alpha')), await status(replicaB, 'api.test', client('alpha')), await status(replicaB, 'api.test', client('alpha'))])
      .toEqual([200, 200, 429]);
    now += 2 * WINDOW_MS;
    expect(await status(replicaA, 'api.test', client('alpha'))).toBe(200);
    expect(await status(replicaB, 'api.test', client('alpha'))).toBe(200);
  });

  it('counts by the client address by default', async () => {
    const fromA = { 'x-forwarded-for': '203.0.113.9' };
    expect(await status(replicaA, 'solo.test', fromA)).toBe(200);
    await syncBoth();
    expect(await status(replicaB, 'solo.test', fromA)).toBe(200);
    await syncBoth();
    expect([await status(replicaB, 'solo.test', fromA), await status(replicaA, 'solo.test', fromA)]).toEqual([429, 429]);
    expect(await status(replicaB, 'solo.test', { 'x-forwarded-for': '203.0.113.10' })).toBe(200);
  });
});

describe('without a shared store, each replica counts alone', () => {
  it('without --etcd-endpoints: the limit applies per replica', async () => {
    const alone = await replica('alone', []);
    const other = await replica('other', []);
    const three = async (p: Plane): Promise<number[]> => [await status(p, 'solo.test', { 'x-forwarded-for': '198.51.100.1' }), await status(p, 'solo.test', { 'x-forwarded-for': '198.51.100.1' }), await status(p, 'solo.test', { 'x-forwarded-for': '198.51.100.1' })];
    expect(await three(alone)).toEqual([200, 200, 429]);
    await alone.syncGlobalRateLimits();
    expect(await three(other)).toEqual([200, 200, 429]);
    expect(await gauge(alone, 'bollard_global_rate_limit_shared')).toBe(0);
  });

  it('with an etcd that does not answer: fails open on the shared part, counts the errors', async () => {
    const dead = await replica('dead', [`http://127.0.0.1:${await freePort()}`]);
    expect(await status(dead, 'solo.test', { 'x-forwarded-for': '198.51.100.2' })).toBe(200);
    await dead.syncGlobalRateLimits();
    expect([await status(dead, 'solo.test', { 'x-forwarded-for': '198.51.100.2' }), await status(dead, 'solo.test', { 'x-forwarded-for': '198.51.100.2' })]).toEqual([200, 429]);
    expect(await gauge(dead, 'bollard_global_rate_limit_shared')).toBe(0);
    expect((await dead.recorded.controllerRegistry.getSingleMetric('bollard_global_rate_limit_sync_errors_total')?.get())?.values[0]?.value).toBe(1);
  }, 20_000);
});
