// Tracing against a receiver nobody on the team wrote: Jaeger (scripts/jaeger-build.sh) takes
// Bollard's OTLP/HTTP export, and its query HTTP API must show each request's server span with the
// client's trace id and parent, the attributes and the status, while the backend behind Bollard saw
// that span's id as its parent in the traceparent it got.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated } from '../dataplane/annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from '../dataplane/support.ts';
import { tracingConfig } from '../dataplane/tracing-support.ts';
import { parseTraceparent } from '../../../src/dataplane/tracing/trace-context.ts';
import { jaegerBinary, startJaeger, type RunningJaeger } from './jaeger.ts';

const N = 'nginx.ingress.kubernetes.io/';
const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { readonly refType: string; readonly traceID: string; readonly spanID: string }[];
  readonly tags: readonly { readonly key: string; readonly value: unknown }[];
  readonly processID: string;
}
interface JaegerTrace {
  readonly spans: readonly JaegerSpan[];
  readonly processes: Record<string, { readonly serviceName: string; readonly tags: readonly { readonly key: string; readonly value: unknown }[] }>;
}

let jaeger: RunningJaeger;
let web: TestUpstream;
/** What the backend saw, and the trace id Bollard's span has, per request. */
const sent: { traceparent: ReturnType<typeof parseTraceparent>; status: number }[] = [];

beforeAll(async () => {
  jaeger = await startJaeger(await jaegerBinary());
  web = await startUpstream('web', (req, res) => {
    res.writeHead(req.url === '/fail' ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null }));
  });
  const plane = await startPlane({ tracing: tracingConfig(jaeger.otlpUrl, { serviceName: 'bollard-jaeger-test', maxBatchSize: 512, scheduleDelayMs: 60_000 }) });
  try {
    const built = buildAnnotated([{ name: 'shop', host: 'shop.test', annotations: { [`${N}enable-opentelemetry`]: 'true' } }], [web.endpoint]);
    plane.tables.publish(built.table);
    for (const [path, headers] of [['/cart', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` }], ['/fail', {}]] as const) {
      const res = await request(`http://127.0.0.1:${plane.httpPort}${path}`, { headers: { host: 'shop.test', 'user-agent': 'jaeger-test/1', ...headers } });
      const body = await res.body.json() as { traceparent: string | null };
      sent.push({ traceparent: parseTraceparent(body.traceparent ?? undefined), status: res.statusCode });
    }
  } finally {
    // Closing flushes the queued spans: both are in Jaeger once it returns (no batch processor there).
    await plane.close();
  }
}, 600_000);

afterAll(async () => {
  await web.close();
  await jaeger.stop();
}, 30_000);

async function traceFromJaeger(traceId: string): Promise<JaegerTrace> {
  const res = await request(`${jaeger.queryUrl}/api/traces/${traceId}`);
  const body = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`Jaeger answered ${res.statusCode} for trace ${traceId}: ${body}\n${jaeger.output().slice(-2000)}`);
  const trace = (JSON.parse(body) as { data: readonly JaegerTrace[] }).data[0];
  if (trace === undefined) throw new Error(`Jaeger has no trace ${traceId}`);
  return trace;
}

const tagsOf = (span: Pick<JaegerSpan, 'tags'>): Record<string, unknown> => Object.fromEntries(span.tags.map((t) => [t.key, t.value]));

it('stores the span in the client\'s trace, child of the client\'s span, and the backend saw it as its parent', async () => {
  const [first] = sent;
  expect(first?.status).toBe(200);
  expect(first?.traceparent?.traceId).toBe(CLIENT_TRACE);
  const trace = await traceFromJaeger(CLIENT_TRACE);
  expect(trace.spans).toHaveLength(1);
  const span = trace.spans[0] as JaegerSpan;
  expect(span).toMatchObject({
    traceID: CLIENT_TRACE, spanID: first?.traceparent?.spanId, operationName: 'GET /',
    references: [{ refType: 'CHILD_OF', traceID: CLIENT_TRACE, spanID: CLIENT_SPAN }],
  });
  expect(trace.processes[span.processID]?.serviceName).toBe('bollard-jaeger-test');
  expect(tagsOf(span)).toMatchObject({
    'span.kind': 'server', 'http.request.method': 'GET', 'url.path': '/cart', 'url.scheme': 'http', 'http.route': '/',
    'http.response.status_code': 200, 'server.address': 'shop.test', 'network.peer.address': '127.0.0.1', 'user_agent.original': 'jaeger-test/1',
    'bollard.ingress.namespace': 'shop', 'bollard.ingress.name': 'shop', 'bollard.service.name': 'web',
    'bollard.upstream.address': `127.0.0.1:${web.endpoint.port}`,
  });
  expect(tagsOf(span).error).toBeUndefined();
});

it('stores a 5xx answer\'s span as an error, in a trace of its own when the client sent none', async () => {
  const failed = sent[1];
  expect(failed?.status).toBe(503);
  const traceId = failed?.traceparent?.traceId ?? '';
  expect(traceId).not.toBe(CLIENT_TRACE);
  const trace = await traceFromJaeger(traceId);
  const span = trace.spans[0] as JaegerSpan;
  expect(span).toMatchObject({ spanID: failed?.traceparent?.spanId, references: [] });
  expect(tagsOf(span)).toMatchObject({ error: true, 'otel.status_code': 'ERROR', 'http.response.status_code': 503, 'error.type': '503' });
});
