// A forked worker exchanges its global rate limit counts with the primary over IPC: the primary's
// holder of shared counts (here a scripted one standing for etcd's totals) gets the worker's
// admitted requests, and the totals it answers make the worker refuse with 429.
import { startOneWorker } from './pool-support.ts';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'undici';
import type { CountItem } from '../../../src/dataplane/global-rate/count-sync.ts';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
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
const received: CountItem[][] = [];

beforeAll(async () => {
  const pair = await generateSelfSigned('default.invalid');
  upstream = await startUpstream('web');
  httpPort = await freePort();
  pool = startOneWorker({ httpPort, httpsPort: 0 }, pair, {
    // The other replicas have admitted 100 in every window asked for.
    globalRateSync: (_source, items) => {
      received.push([...items]);
      return Promise.resolve(items.map((i) => i.count + 100));
    },
  });
  await pool.ready;
  pool.publish(buildAnnotated([{ name: 'api', host: 'api.test', annotations: { [`${N}global-rate-limit`]: '5', [`${N}global-rate-limit-window`]: '1m' } }], [upstream.endpoint]).table);
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

it('sends its counts to the primary and refuses once the primary\'s totals pass the limit', async () => {
  expect(defaultDataPlaneOptions.globalRateLimitSyncMs).toBe(200);
  expect(await statusFor()).toBe(200);
  const first = await waitFor(() => Promise.resolve(received.flat().find((i) => i.count > 0)), { what: 'the worker\'s counts at the primary', timeoutMs: 10_000, intervalMs: 20 });
  expect(first).toMatchObject({ windowSeconds: 60, count: 1 });
  await waitFor(async () => ((await statusFor()) === 429 ? true : undefined), { what: 'a 429 once the totals came back', timeoutMs: 10_000, intervalMs: 20 });
});
