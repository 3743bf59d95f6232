// What catalog.ts promises for the annotations Bollard never acts on (OpenTracing, http2-push-preload,
// InfluxDB), over real sockets: they are listed in the one UnsupportedAnnotation diagnostic and the
// Ingress is served anyway; trace headers reach the upstream as the client sent them, and the
// upstream's preload Link header reaches the client.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const NEVER = ['enable-opentracing', 'opentracing-trust-incoming-span', 'http2-push-preload', 'enable-influxdb', 'influxdb-host'];
const TRACE_HEADERS = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'vendor=opaque',
  'uber-trace-id': '4bf92f3577b34da6:00f067aa0ba902b7:0:1',
  'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
};

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let diagnostics: readonly string[] = [];

beforeAll(async () => {
  web = await startUpstream('web', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', link: '</app.css>; rel=preload; as=style' });
    res.end(JSON.stringify(req.headers));
  });
  plane = await startPlane();
  const built = buildAnnotated([{ name: 'traced', host: 'traced.test', annotations: Object.fromEntries(NEVER.map((k) => [N + k, 'true'])) }], [web.endpoint]);
  diagnostics = built.diagnostics.map((d) => `${d.reason}: ${d.message}`);
  plane.tables.publish(built.table);
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

it('lists the annotations in one UnsupportedAnnotation diagnostic', () => {
  expect(diagnostics).toEqual([`UnsupportedAnnotation: annotations Bollard does not act on (see docs/migration.md): ${NEVER.map((k) => N + k).sort().join(', ')}`]);
});

it('serves the Ingress, trace headers passed to the upstream untouched and the preload Link to the client', async () => {
  const res = await request(`http://127.0.0.1:${plane.httpPort}/`, { headers: { host: 'traced.test', ...TRACE_HEADERS } });
  const seen = await res.body.json() as Record<string, string>;
  expect(res.statusCode).toBe(200);
  expect(seen).toMatchObject(TRACE_HEADERS);
  expect(res.headers.link).toBe('</app.css>; rel=preload; as=style');
});
