// A forked worker serving one Ingress with an nginx global rate limit, its counts exchanged with
// the test over the real IPC channel (`globalRateSync` stands for the primary's holder of counts).
import { request } from 'undici';
import { generateSelfSigned } from '../../../src/dataplane/tls/default-certificate.ts';
import type { WorkerPool, WorkerPoolDeps } from '../../../src/workers/worker-pool.ts';
import { freePort } from '../../harness/free-port.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { buildAnnotated } from '../dataplane/annotated-table.ts';
import { startUpstream } from '../dataplane/support.ts';
import { startOneWorker } from './pool-support.ts';

const N = 'nginx.ingress.kubernetes.io/';

export interface RateLimitedWorker {
  readonly pool: WorkerPool;
  /** The status of one request for the limited host. */
  status(): Promise<number>;
  close(): Promise<void>;
}

export async function startRateLimitedWorker(
  limit: { readonly requests: number; readonly window: string }, deps: Pick<WorkerPoolDeps, 'globalRateSync'> & Partial<WorkerPoolDeps>,
): Promise<RateLimitedWorker> {
  const pair = await generateSelfSigned('default.invalid');
  const upstream = await startUpstream('web');
  const httpPort = await freePort();
  const pool = startOneWorker({ httpPort, httpsPort: 0 }, pair, deps);
  await pool.ready;
  const annotations = { [`${N}global-rate-limit`]: String(limit.requests), [`${N}global-rate-limit-window`]: limit.window };
  pool.publish(buildAnnotated([{ name: 'api', host: 'api.test', annotations }], [upstream.endpoint]).table);
  pool.requireCurrentTable();
  await waitFor(() => Promise.resolve(pool.allReady() ? true : undefined), { what: 'worker serves the table', timeoutMs: 20_000, intervalMs: 20 });
  return {
    pool,
    async status() {
      const r = await request(`http://127.0.0.1:${httpPort}/`, { headers: { host: 'api.test' } });
      await r.body.dump();
      return r.statusCode;
    },
    async close() {
      await pool.close();
      await upstream.close();
    },
  };
}
