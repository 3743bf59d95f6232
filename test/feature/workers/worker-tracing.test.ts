// Tracing from a forked data-plane worker: the --otel-* settings cross the IPC channel with the
// start configuration, the worker exports its own spans, and closing the pool flushes what it still
// held (a long schedule delay keeps the span queued until then).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'undici';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import { generateSelfSigned } from '../../../src/dataplane/tls/default-certificate.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { startWorkerPool, type WorkerPool } from '../../../src/workers/worker-pool.ts';
import { parseTraceparent } from '../../../src/dataplane/tracing/trace-context.ts';
import { freePort } from '../../harness/free-port.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { hostRoutes, route, startUpstream, table, upstream, type TestUpstream } from '../dataplane/support.ts';
import { tracingConfig } from '../dataplane/tracing-support.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.ts';

let pool: WorkerPool | undefined;
let receiver: OtlpReceiver;
let web: TestUpstream;
let httpPort = 0;

beforeAll(async () => {
  const pair = await generateSelfSigned('default.invalid');
  receiver = await startOtlpReceiver();
  web = await startUpstream('web', (req, res) => { res.writeHead(200).end(req.headers.traceparent ?? ''); });
  httpPort = await freePort();
  pool = startWorkerPool(1, {
    bindAddress: '127.0.0.1', httpPort, httpsPort: 0, httpsRedirectPort: 443, httpPublicPort: 80, accessLog: false, reusePort: true,
    limits: defaultListenerLimits, options: defaultDataPlaneOptions,
    tls: { defaultCertPem: pair.certPem, defaultKeyPem: pair.keyPem, minVersion: 'TLSv1.2', ciphers: undefined, sniStrict: false },
    tracing: tracingConfig(receiver.url, { enabled: true, serviceInstanceId: 'pod-7', maxBatchSize: 100, scheduleDelayMs: 600_000 }),
  }, { log: silentLogger, logLevel: 'error', challenge: () => Promise.resolve(undefined), primaryTimeoutMs: 5_000 });
  await pool.ready;
}, 30_000);

afterAll(async () => {
  await pool?.close();
  await web.close();
  await receiver.close();
});

it('exports the worker\'s span when the pool closes, with the trace the upstream was given', async () => {
  const workers = pool;
  if (workers === undefined) throw new Error('no pool');
  workers.publish(table({ 'traced.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
  workers.requireCurrentTable();
  await waitFor(() => Promise.resolve(workers.allReady() ? true : undefined), { what: 'the worker serves the table', timeoutMs: 20_000, intervalMs: 20 });
  const res = await request(`http://127.0.0.1:${httpPort}/checkout`, { headers: { host: 'traced.test' } });
  const sent = parseTraceparent(await res.body.text());
  expect(sent?.sampled).toBe(true);
  expect(receiver.spans).toHaveLength(0);
  await workers.close();
  pool = undefined;
  const [span] = await receiver.waitForSpans(1);
  expect(span).toMatchObject({ traceId: sent?.traceId, spanId: sent?.spanId, name: 'GET /', resource: { 'service.instance.id': 'pod-7' } });
}, 30_000);
