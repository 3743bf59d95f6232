// A worker whose exchange the primary does not answer in time (--worker-ipc-timeout-ms) sends its
// counts again; over the real IPC channel, with the primary's real holder of shared counts in
// front of a backend (standing for etcd) that stalls its first exchange, the requests are still
// published once: the replica's count in the backend never exceeds what the worker admitted.
import { startOneWorker } from './pool-support.ts';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'undici';
import { createSharedCounts, type CountBackend, type ReplicaCount } from '../../../src/dataplane/global-rate/shared-counts.ts';
import { generateSelfSigned } from '../../../src/dataplane/tls/default-certificate.ts';
import type { WorkerPool } from '../../../src/workers/worker-pool.ts';
import { freePort } from '../../harness/free-port.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { buildAnnotated } from '../dataplane/annotated-table.ts';
import { startUpstream, type TestUpstream } from '../dataplane/support.ts';

const N = 'nginx.ingress.kubernetes.io/';
let pool: WorkerPool;
let upstream: TestUpstream;
let httpPort = 0;
const published: ReplicaCount[][] = [];
const { promise: gate, resolve: openGate } = Promise.withResolvers<undefined>();
let syncs = 0;

const backend: CountBackend = {
  totals: async (counts) => {
    published.push([...counts]);
    // The first exchange waits (a slow etcd) until the worker has timed out and sent its counts again.
    if (published.length === 1) await gate;
    return counts.map((c) => c.mine);
  },
};

beforeAll(async () => {
  const pair = await generateSelfSigned('default.invalid');
  upstream = await startUpstream('web');
  httpPort = await freePort();
  const shared = createSharedCounts({ backend });
  pool = startOneWorker({ httpPort, httpsPort: 0 }, pair, {
    primaryTimeoutMs: 50,
    globalRateSync: (source, items) => {
      syncs += 1;
      return shared(source, items);
    },
  });
  await pool.ready;
  pool.publish(buildAnnotated([{ name: 'api', host: 'api.test', annotations: { [`${N}global-rate-limit`]: '100', [`${N}global-rate-limit-window`]: '1h' } }], [upstream.endpoint]).table);
  pool.requireCurrentTable();
  await waitFor(() => Promise.resolve(pool.allReady() ? true : undefined), { what: 'worker serves the table', timeoutMs: 20_000, intervalMs: 20 });
}, 30_000);

afterAll(async () => {
  await pool.close();
  await upstream.close();
});

const statusFor = async (): Promise<number> => {
  const r = await request(`http://127.0.0.1:${httpPort}/`, { headers: { host: 'api.test' } });
  await r.body.dump();
  return r.statusCode;
};

it('publishes a worker\'s counts once although it sent them again after an IPC timeout', async () => {
  expect([await statusFor(), await statusFor(), await statusFor()]).toEqual([200, 200, 200]);
  await waitFor(() => Promise.resolve(syncs >= 2 ? true : undefined), { what: 'the worker sending its counts again', timeoutMs: 10_000, intervalMs: 20 });
  openGate(undefined);
  expect(await statusFor()).toBe(200);
  // Per window, the highest count published; the four requests may straddle an hour's boundary.
  const publishedCount = (): number => {
    const highest = new Map<string, number>();
    for (const c of published.flat()) highest.set(`${c.counter}/${c.window}`, Math.max(highest.get(`${c.counter}/${c.window}`) ?? 0, c.mine));
    return [...highest.values()].reduce((a, b) => a + b, 0);
  };
  await waitFor(() => Promise.resolve(publishedCount() >= 4 ? true : undefined), { what: 'the fourth request published', timeoutMs: 10_000, intervalMs: 20 });
  expect(publishedCount()).toBe(4);
}, 30_000);
