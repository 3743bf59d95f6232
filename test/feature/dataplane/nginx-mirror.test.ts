// nginx mirror-target, mirror-request-body and mirror-host over real sockets: a table built by the
// real builder from annotated Ingresses, a real data plane, a real upstream and real mirrors reached
// by the URL the annotation names (an address, and a host name the resolver turns into one). The
// copy asks for what the URL's path makes of the request, over HTTP/1.1 and HTTP/2 alike; a mirror
// that never answers or refuses connections changes nothing for the client.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { H2CClient, request } from 'undici';
import { waitFor } from '../../harness/wait-for.ts';
import { buildAnnotated } from './annotated-table.ts';
import { deadEndpoint, startPlane, startUpstream, tlsFixture, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

interface Copy { readonly url: string; readonly method: string; readonly headers: IncomingMessage['headers']; readonly body: string }

/** A mirror that records each copy once its body has ended and answers 204. */
async function startMirror(name: string): Promise<TestUpstream & { copies: Copy[] }> {
  const copies: Copy[] = [];
  const up = await startUpstream(name, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      copies.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(204).end();
    });
  });
  return Object.assign(up, { copies });
}

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let shadow: Awaited<ReturnType<typeof startMirror>>;
let stall: TestUpstream;
const held: ServerResponse[] = [];
let stallArrived: Promise<void>;
let h2: H2CClient;
let base = '';
let tlsMirror: HttpsServer;
/** What the HTTPS mirror saw of each copy: its URL and the server name the handshake asked for. */
const tlsCopies: { url: string; servername: string | false | null }[] = [];

interface Echo { readonly upstream: string; readonly url: string; readonly body: string; readonly headers: Record<string, string> }

async function send(host: string, path: string, body?: string): Promise<{ status: number; echo: Echo }> {
  const res = await request(`${base}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { host }, ...(body === undefined ? {} : { body }) });
  return { status: res.statusCode, echo: await res.body.json() as Echo };
}

async function mirrored(outcome: string): Promise<number> {
  return (await plane.metrics.mirrorRequests.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

const copyOf = (url: string): Promise<Copy> =>
  waitFor(() => Promise.resolve(shadow.copies.find((c) => c.url === url)), { what: `a copy of ${url}`, timeoutMs: 10_000, intervalMs: 10 });

beforeAll(async () => {
  let arrived = (): void => undefined;
  stallArrived = new Promise((resolve) => { arrived = resolve; });
  [web, shadow, stall] = await Promise.all([
    startUpstream('web'), startMirror('shadow'),
    startUpstream('stall', (_req, res) => { held.push(res); arrived(); }),
  ]);
  const dead = await deadEndpoint();
  // An RSA-2048 certificate the mirror's client does not verify (nginx's proxy_ssl_verify off).
  tlsMirror = createHttpsServer({ cert: await tlsFixture('rsa-2048-a.crt'), key: await tlsFixture('rsa-2048-a.key') }, (req, res) => {
    tlsCopies.push({ url: req.url ?? '', servername: req.socket instanceof TLSSocket ? req.socket.servername : null });
    req.resume().on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => tlsMirror.listen(0, '127.0.0.1', resolve));
  const tlsPort = String((tlsMirror.address() as AddressInfo).port);
  plane = await startPlane({ h2c: true });
  const at = (port: number) => `127.0.0.1:${String(port)}`;
  const built = buildAnnotated([
    { name: 'copy', host: 'copy.test', annotations: { [`${N}mirror-target`]: `http://${at(shadow.endpoint.port)}/shadow$request_uri` } },
    {
      name: 'audit', host: 'audit.test',
      annotations: { [`${N}mirror-target`]: `http://localhost:${String(shadow.endpoint.port)}/audit`, [`${N}mirror-request-body`]: 'off', [`${N}mirror-host`]: 'audit.example' },
    },
    { name: 'secure', host: 'secure.test', annotations: { [`${N}mirror-target`]: `https://localhost:${tlsPort}/tls$request_uri` } },
    { name: 'stall', host: 'stall.test', annotations: { [`${N}mirror-target`]: `http://${at(stall.endpoint.port)}$request_uri` } },
    { name: 'dead', host: 'dead.test', annotations: { [`${N}mirror-target`]: `http://${at(dead.port)}` } },
    { name: 'moved', host: 'moved.test', annotations: { [`${N}mirror-target`]: `http://${at(shadow.endpoint.port)}/moved$request_uri`, [`${N}permanent-redirect`]: 'https://elsewhere.test/' } },
  ], [web.endpoint]);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${String(plane.httpPort)}`;
  h2 = new H2CClient(base);
});

afterAll(async () => {
  for (const res of held) res.end();
  await h2.close();
  await plane.close();
  await Promise.all([web, shadow, stall].map((u) => u.close()));
  tlsMirror.closeAllConnections();
  await new Promise<void>((resolve) => { tlsMirror.close(() => { resolve(); }); });
});

describe('mirror-target', () => {
  it('copies an HTTP/1.1 request to the URL: its path made from $request_uri, the method, headers and body as forwarded, Host the URL\'s', async () => {
    const res = await send('copy.test', '/cart/items?id=7', 'one item');
    expect([res.status, res.echo.upstream, res.echo.url, res.echo.body]).toEqual([200, 'web', '/cart/items?id=7', 'one item']);
    const copy = await copyOf('/shadow/cart/items?id=7');
    expect([copy.method, copy.body]).toEqual(['POST', 'one item']);
    expect(copy.headers).toMatchObject({ host: '127.0.0.1', 'x-request-id': res.echo.headers['x-request-id'], 'x-forwarded-host': 'copy.test' });
  });

  it('copies an HTTP/2 request the same way', async () => {
    const res = await h2.request({ path: '/h2/stream?n=2', method: 'POST', headers: { host: 'copy.test' }, body: 'over h2' });
    const echo = await res.body.json() as Echo;
    expect([res.statusCode, echo.upstream, echo.body]).toEqual([200, 'web', 'over h2']);
    const copy = await copyOf('/shadow/h2/stream?n=2');
    expect([copy.method, copy.body, copy.headers.host]).toEqual(['POST', 'over h2', '127.0.0.1']);
  });

  it('with a host name, a path without variables, mirror-request-body off and mirror-host: that path with the query, no body, that Host', async () => {
    const res = await send('audit.test', '/pay?order=9', 'card data');
    expect([res.status, res.echo.body]).toEqual([200, 'card data']);
    const copy = await copyOf('/audit?order=9');
    // undici says so for a POST without a body; the client's length is not passed on.
    expect([copy.method, copy.body, copy.headers.host, copy.headers['content-length']]).toEqual(['POST', '', 'audit.example', '0']);
  });

  it('copies to an https URL over TLS, with the URL\'s name as SNI and the certificate not verified', async () => {
    const res = await send('secure.test', '/paid?id=3', 'receipt');
    expect(res.status).toBe(200);
    const copy = await waitFor(() => Promise.resolve(tlsCopies.find((c) => c.url === '/tls/paid?id=3')), { what: 'the TLS copy', timeoutMs: 10_000, intervalMs: 10 });
    expect(copy.servername).toBe('localhost');
  });

  it('does not hold the client\'s answer for a mirror that never answers', async () => {
    const res = await send('stall.test', '/slow', 'wait for nobody');
    expect([res.status, res.echo.upstream]).toEqual([200, 'web']);
    await stallArrived;
    expect(held.map((r) => r.headersSent)).toEqual([false]);
  });

  it('changes nothing for the client when the mirror refuses connections; the failure is counted', async () => {
    const before = await mirrored('failed');
    const res = await send('dead.test', '/x', 'y');
    expect([res.status, res.echo.body]).toEqual([200, 'y']);
    await waitFor(async () => ((await mirrored('failed')) > before ? true : undefined), { what: 'a failed mirror request', timeoutMs: 10_000, intervalMs: 10 });
  });

  it('does not mirror a request Bollard answers itself', async () => {
    const res = await request(`${base}/gone`, { headers: { host: 'moved.test' } });
    await res.body.dump();
    expect(res.statusCode).toBe(301);
    // A copy of the redirected request would have left before the 301 did; one sent after it has arrived.
    await send('copy.test', '/after-redirect');
    await copyOf('/shadow/after-redirect');
    expect(shadow.copies.filter((c) => c.url.startsWith('/moved'))).toEqual([]);
  });
});
