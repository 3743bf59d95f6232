// nginx enable-opentelemetry and its companions over real sockets: the upstream gets a traceparent
// naming Bollard's span as parent (continuing the client's trace only when trusted), and the span
// reaches an OTLP/HTTP endpoint with the HTTP attributes. A route without tracing passes the
// client's trace headers untouched and exports nothing; a request no route takes is traced only
// when the controller traces by default. (Against a real receiver, Jaeger:
// test/e2e/tracing/jaeger.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { connect as h2connect } from 'node:http2';
import type { Duplex } from 'node:stream';
import { request } from 'undici';
import { buildAnnotated } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';
import { attributesOf, startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.ts';
import { parseTraceparent } from '../../../src/dataplane/tracing/trace-context.ts';
import { tracingConfig } from './tracing-support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const CLIENT_HEADERS = { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=opaque' };

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let receiver: OtlpReceiver;
/** The headers of the last WebSocket upgrade the upstream accepted. */
let upgradeSeen: IncomingHttpHeaders | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  web = await startUpstream('web', (req, res) => {
    res.writeHead(req.url === '/fail' ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.headers));
  });
  // A WebSocket upstream too: 101 with the right accept, then it closes when the client does.
  web.server.on('upgrade', (req: { headers: IncomingHttpHeaders }, socket: Duplex) => {
    upgradeSeen = req.headers;
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('end', () => socket.end());
  });
  plane = await startPlane({ tracing: tracingConfig(receiver.url) });
  const built = buildAnnotated([
    { name: 'traced', host: 'traced.test', annotations: { [`${N}enable-opentelemetry`]: 'true' } },
    {
      name: 'untrusting', host: 'untrusting.test',
      annotations: { [`${N}enable-opentelemetry`]: 'true', [`${N}opentelemetry-trust-incoming-span`]: 'false', [`${N}opentelemetry-operation-name`]: 'checkout' },
    },
    { name: 'plain', host: 'plain.test', annotations: {} },
    { name: 'denied', host: 'denied.test', annotations: { [`${N}enable-opentelemetry`]: 'true', [`${N}whitelist-source-range`]: '10.0.0.0/8' } },
  ], [web.endpoint]);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
});

afterAll(async () => {
  await plane.close();
  await web.close();
  await receiver.close();
});

async function get(host: string, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; seen: Record<string, string> }> {
  const res = await request(`http://127.0.0.1:${plane.httpPort}${path}`, { headers: { host, 'user-agent': 'otel-test/1', ...headers } });
  const text = await res.body.text();
  return { status: res.statusCode, seen: res.statusCode === 403 ? {} : JSON.parse(text) as Record<string, string> };
}

describe('a traced Ingress', () => {
  it('continues the client\'s trace: the upstream\'s parent is Bollard\'s span, whose parent is the client\'s', async () => {
    const before = receiver.spans.length;
    const { status, seen } = await get('traced.test', '/cart?id=1', CLIENT_HEADERS);
    expect(status).toBe(200);
    const sent = parseTraceparent(seen.traceparent);
    expect(sent).toEqual({ traceId: CLIENT_TRACE, spanId: expect.stringMatching(/^[0-9a-f]{16}$/), sampled: true });
    expect(sent?.spanId).not.toBe(CLIENT_SPAN);
    expect(seen.tracestate).toBe('vendor=opaque');
    const span = (await receiver.waitForSpans(before + 1))[before];
    expect(span).toMatchObject({
      traceId: CLIENT_TRACE, spanId: sent?.spanId, parentSpanId: CLIENT_SPAN, traceState: 'vendor=opaque', name: 'GET /', kind: 2,
      resource: { 'service.name': 'bollard-test', 'service.instance.id': 'pod-0' },
    });
    expect(span?.status).toBeUndefined();
    expect(attributesOf(span ?? { attributes: [] })).toEqual({
      'http.request.method': 'GET', 'url.scheme': 'http', 'url.path': '/cart', 'http.route': '/', 'http.response.status_code': '200',
      'server.address': 'traced.test', 'network.peer.address': '127.0.0.1', 'network.protocol.version': '1.1', 'user_agent.original': 'otel-test/1',
      'bollard.ingress.namespace': 'shop', 'bollard.ingress.name': 'traced', 'bollard.service.name': 'web', 'bollard.upstream': 'shop/web:http',
      'bollard.upstream.address': `127.0.0.1:${web.endpoint.port}`,
    });
    expect(BigInt(span?.endTimeUnixNano ?? '0')).toBeGreaterThanOrEqual(BigInt(span?.startTimeUnixNano ?? '1'));
  });

  it('starts a trace for a request without a valid traceparent, and drops the tracestate that came with it', async () => {
    const before = receiver.spans.length;
    const { seen } = await get('traced.test', '/', { traceparent: `ff-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=opaque' });
    const sent = parseTraceparent(seen.traceparent);
    expect(sent?.traceId).not.toBe(CLIENT_TRACE);
    expect(seen.tracestate).toBeUndefined();
    const span = (await receiver.waitForSpans(before + 1))[before];
    expect(span).toMatchObject({ traceId: sent?.traceId, spanId: sent?.spanId });
    expect(span?.parentSpanId).toBeUndefined();
  });

  it('marks a 5xx answer as an error', async () => {
    const before = receiver.spans.length;
    expect((await get('traced.test', '/fail')).status).toBe(503);
    const span = (await receiver.waitForSpans(before + 1))[before];
    expect(span?.status).toEqual({ code: 2 });
    expect(attributesOf(span ?? { attributes: [] })).toMatchObject({ 'http.response.status_code': '503', 'error.type': '503' });
  });

  it('traces an answer Bollard gives itself (403 of an allowlist)', async () => {
    const before = receiver.spans.length;
    expect((await get('denied.test', '/', CLIENT_HEADERS)).status).toBe(403);
    const span = (await receiver.waitForSpans(before + 1))[before];
    expect(span).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: CLIENT_SPAN });
    expect(attributesOf(span ?? { attributes: [] })).toMatchObject({ 'http.response.status_code': '403', 'bollard.ingress.name': 'denied' });
    expect(attributesOf(span ?? { attributes: [] })['bollard.upstream.address']).toBeUndefined();
  });
});

it('opentelemetry-trust-incoming-span "false": a new trace, the client\'s trace headers not sent on; operation-name names the span', async () => {
  const before = receiver.spans.length;
  const { seen } = await get('untrusting.test', '/', CLIENT_HEADERS);
  const sent = parseTraceparent(seen.traceparent);
  expect(sent?.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(sent?.traceId).not.toBe(CLIENT_TRACE);
  expect(seen.tracestate).toBeUndefined();
  const span = (await receiver.waitForSpans(before + 1))[before];
  expect(span).toMatchObject({ traceId: sent?.traceId, spanId: sent?.spanId, name: 'checkout' });
  expect(span?.parentSpanId).toBeUndefined();
});

it('leaves an untraced route\'s trace headers as the client sent them and exports no span for it', async () => {
  const before = receiver.spans.length;
  const { seen } = await get('plain.test', '/', CLIENT_HEADERS);
  expect(seen).toMatchObject(CLIENT_HEADERS);
  // Spans leave one at a time in the order requests ended: the next one to arrive is the traced request's.
  await get('traced.test', '/after-plain');
  const spans = await receiver.waitForSpans(before + 1);
  expect(spans.slice(before).map((s) => attributesOf(s)['url.path'])).toEqual(['/after-plain']);
});

it('counts exported spans, and drops a batch the collector refuses (counted; requests unaffected)', async () => {
  const exported = (await plane.metrics.traceSpansExported.get()).values[0]?.value ?? 0;
  expect(exported).toBeGreaterThanOrEqual(5);
  const before = receiver.spans.length;
  receiver.refuseNext(1);
  expect((await get('traced.test', '/refused')).status).toBe(200);
  await get('traced.test', '/after-refusal');
  // One export at a time: the refused batch was counted before the next one left.
  const spans = await receiver.waitForSpans(before + 1);
  expect(spans.slice(before).map((s) => attributesOf(s)['url.path'])).toEqual(['/after-refusal']);
  expect((await plane.metrics.traceSpansDropped.get()).values).toEqual([expect.objectContaining({ labels: { reason: 'export_failed' }, value: 1 })]);
  expect((await plane.metrics.traceExportErrors.get()).values[0]?.value).toBe(1);
});

it('does not let a collector that never answers hold the shutdown: what is still queued after one export timeout is dropped and counted', async () => {
  // Accepts connections and never answers.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  const stuck = await startPlane({ tracing: tracingConfig(`http://127.0.0.1:${port}/v1/traces`, { enabled: true, exportTimeoutMs: 1000 }) });
  try {
    stuck.tables.publish(buildAnnotated([{ name: 'traced', host: 'traced.test', annotations: {} }], [web.endpoint]).table);
    for (let i = 0; i < 3; i++) expect((await request(`http://127.0.0.1:${stuck.httpPort}/`, { headers: { host: 'traced.test' } }).then(async (r) => { await r.body.dump(); return r.statusCode; }))).toBe(200);
    await stuck.close();
    const dropped = (await stuck.metrics.traceSpansDropped.get()).values;
    expect(dropped.find((v) => v.labels.reason === 'shutdown')?.value).toBeGreaterThanOrEqual(1);
    expect((await stuck.metrics.traceSpansExported.get()).values[0]?.value ?? 0).toBe(0);
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => { resolve(); }));
  }
});

describe('a request no route takes (404)', () => {
  const askUnknown = async (port: number): Promise<number> => {
    const res = await request(`http://127.0.0.1:${port}/missing?q=1`, { headers: { host: 'unknown.test', 'user-agent': 'otel-test/1', ...CLIENT_HEADERS } });
    await res.body.dump();
    return res.statusCode;
  };

  it('is traced when the controller traces by default (--otel-enabled): its method names it, in the client\'s trace, no route attributes', async () => {
    const everywhere = await startPlane({ tracing: tracingConfig(receiver.url, { enabled: true }) });
    try {
      everywhere.tables.publish(buildAnnotated([{ name: 'plain', host: 'plain.test', annotations: {} }], [web.endpoint]).table);
      const before = receiver.spans.length;
      expect(await askUnknown(everywhere.httpPort)).toBe(404);
      const span = (await receiver.waitForSpans(before + 1))[before];
      expect(span).toMatchObject({ name: 'GET', traceId: CLIENT_TRACE, parentSpanId: CLIENT_SPAN });
      const attributes = attributesOf(span ?? { attributes: [] });
      expect(attributes).toMatchObject({ 'http.response.status_code': '404', 'url.path': '/missing', 'server.address': 'unknown.test' });
      expect(Object.keys(attributes).filter((k) => k === 'http.route' || k.startsWith('bollard.'))).toEqual([]);
      // A WebSocket upgrade no route takes, likewise.
      const socket = connect(everywhere.httpPort, '127.0.0.1');
      expect((await upgradeHead(socket, 'unknown.test')).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
      socket.destroy();
      const upgradeSpan = (await receiver.waitForSpans(before + 2))[before + 1];
      expect(upgradeSpan).toMatchObject({ name: 'GET', traceId: CLIENT_TRACE });
      expect(attributesOf(upgradeSpan ?? { attributes: [] })).toMatchObject({ 'http.response.status_code': '404', 'url.path': '/live' });
    } finally {
      await everywhere.close();
    }
  });

  it('is not traced when only Ingresses turn tracing on', async () => {
    const before = receiver.spans.length;
    expect(await askUnknown(plane.httpPort)).toBe(404);
    // Spans leave one at a time in the order requests ended: the next one to arrive is the traced request's.
    await get('traced.test', '/after-404');
    const spans = await receiver.waitForSpans(before + 1);
    expect(spans.slice(before).map((s) => attributesOf(s)['url.path'])).toEqual(['/after-404']);
  });
});

/** Sends a WebSocket upgrade for `host` /live with the client's traceparent; the answer's head. */
function upgradeHead(socket: Socket, host: string): Promise<string> {
  return new Promise<string>((resolve) => {
    let text = '';
    socket.setEncoding('latin1').on('data', (c: string) => { text += c; if (text.includes('\r\n\r\n')) resolve(text); });
    socket.write(`GET /live HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\ntraceparent: ${CLIENT_HEADERS.traceparent}\r\n\r\n`);
  });
}

it('traces a WebSocket upgrade of a traced route: the upstream is told the span, which ends with the tunnel (101)', async () => {
  const before = receiver.spans.length;
  const socket = connect(plane.httpPort, '127.0.0.1');
  const closed = new Promise<void>((resolve) => { socket.once('close', () => { resolve(); }); });
  const head = await upgradeHead(socket, 'traced.test');
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  const sent = parseTraceparent(typeof upgradeSeen?.traceparent === 'string' ? upgradeSeen.traceparent : undefined);
  expect(sent?.traceId).toBe(CLIENT_TRACE);
  socket.end();
  await closed;
  const span = (await receiver.waitForSpans(before + 1))[before];
  expect(span).toMatchObject({ name: 'GET /', traceId: CLIENT_TRACE, spanId: sent?.spanId, parentSpanId: CLIENT_SPAN });
  expect(attributesOf(span ?? { attributes: [] })).toMatchObject({ 'http.response.status_code': '101', 'url.path': '/live', 'bollard.ingress.name': 'traced' });
});

it('traces a WebSocket over HTTP/2 (extended CONNECT) likewise: 200 when the tunnel closes', async () => {
  const before = receiver.spans.length;
  const session = h2connect(`https://127.0.0.1:${String(plane.httpsPort)}`, { rejectUnauthorized: false, servername: 'traced.test' });
  await new Promise<void>((resolve, reject) => { session.once('remoteSettings', () => { resolve(); }); session.once('error', reject); });
  const stream = session.request({
    ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': '/live', ':authority': 'traced.test', 'sec-websocket-version': '13', traceparent: CLIENT_HEADERS.traceparent,
  }, { endStream: false });
  const status = await new Promise<number>((resolve, reject) => { stream.once('response', (h) => { resolve(Number(h[':status'])); }); stream.once('error', reject); });
  expect(status).toBe(200);
  const sent = parseTraceparent(typeof upgradeSeen?.traceparent === 'string' ? upgradeSeen.traceparent : undefined);
  stream.end();
  session.close();
  const span = (await receiver.waitForSpans(before + 1))[before];
  expect(span).toMatchObject({ name: 'CONNECT /', traceId: CLIENT_TRACE, spanId: sent?.spanId, parentSpanId: CLIENT_SPAN });
  expect(attributesOf(span ?? { attributes: [] })).toMatchObject({ 'http.response.status_code': '200', 'url.path': '/live' });
});
