// Gateway API RequestMirror over real sockets: HTTPRoutes built by the real builder, a real data
// plane, a real upstream and real mirrors. The copy carries the request as forwarded, body included;
// a mirror that fails, never answers or falls behind the body changes nothing for the client.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { waitFor } from '../../harness/wait-for.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../support/routing/gateway-world.ts';
import { deadEndpoint, startPlane, startUpstream, type TestUpstream } from './support.ts';

interface Copy { readonly url: string; readonly method: string; readonly headers: IncomingMessage['headers']; readonly body: string }

/** A mirror that records each copy once its body has ended and answers 204. */
async function startMirror(name: string): Promise<TestUpstream & { copies: Copy[]; copiesOf: (path: string) => Copy[] }> {
  const copies: Copy[] = [];
  const up = await startUpstream(name, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      copies.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(204).end();
    });
  });
  return Object.assign(up, { copies, copiesOf: (path: string) => copies.filter((c) => c.url.split('?')[0] === path) });
}

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let shadow: Awaited<ReturnType<typeof startMirror>>;
let audit: Awaited<ReturnType<typeof startMirror>>;
let stall: TestUpstream;
let sluggish: TestUpstream;
/** Requests the stalling mirror holds, answered only when the test ends. */
const held: ServerResponse[] = [];
let stallArrived: Promise<void>;
let base = '';

const parent = { parentRefs: [{ name: 'edge', namespace: 'gw' }] };
const to = (name: string) => [{ name, port: 80 }];
const mirror = (name: string, extra: object = {}) => ({ type: 'RequestMirror', requestMirror: { backendRef: { name, port: 80 }, ...extra } });
const rule = (path: string, filters: object[]) => ({ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: to('web'), filters });

async function send(path: string, init: { method?: 'GET' | 'POST'; body?: string | Buffer } = {}) {
  const res = await request(`${base}${path}`, { method: init.method ?? 'GET', headers: { host: 'mirror.test' }, ...(init.body === undefined ? {} : { body: init.body }) });
  const echo = await res.body.json() as { upstream: string; url: string; body: string; headers: Record<string, string> };
  return { status: res.statusCode, echo };
}

async function mirrored(outcome: string): Promise<number> {
  return (await plane.metrics.mirrorRequests.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

const reaches = (outcome: string, count: number): Promise<number> =>
  waitFor(async () => ((await mirrored(outcome)) >= count ? count : undefined), { what: `${String(count)} mirror requests "${outcome}"`, timeoutMs: 10_000, intervalMs: 10 });

beforeAll(async () => {
  let arrived = (): void => undefined;
  stallArrived = new Promise((resolve) => { arrived = resolve; });
  [web, shadow, audit, stall, sluggish] = await Promise.all([
    startUpstream('web'), startMirror('shadow'), startMirror('audit'),
    startUpstream('stall', (_req, res) => { held.push(res); arrived(); }),
    // Reads nothing: the copy of a large body cannot keep up.
    startUpstream('sluggish', (req) => { req.pause(); }),
  ]);
  const dead = await deadEndpoint();
  plane = await startPlane();
  const built = build([
    gatewayClass(), gateway('gw', 'edge', [httpListener({ allowedRoutes: { namespaces: { from: 'All' } } })]),
    ...service('app', 'web', 80, ['127.0.0.1'], web.endpoint.port), ...service('app', 'shadow', 80, ['127.0.0.1'], shadow.endpoint.port),
    ...service('app', 'audit', 80, ['127.0.0.1'], audit.endpoint.port), ...service('app', 'stall', 80, ['127.0.0.1'], stall.endpoint.port),
    ...service('app', 'sluggish', 80, ['127.0.0.1'], sluggish.endpoint.port), ...service('app', 'gone', 80, ['127.0.0.1'], dead.port),
    httpRoute('app', 'mirrors', { ...parent, hostnames: ['mirror.test'], rules: [
      rule('/copy', [
        { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Set', value: 's' }], remove: ['X-Drop'] } },
        mirror('shadow'),
        { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } },
      ]),
      rule('/two', [mirror('shadow'), mirror('audit')]),
      rule('/sample', [mirror('audit', { percent: 0 }), mirror('shadow', { fraction: { numerator: 1, denominator: 1 } })]),
      rule('/dead', [mirror('gone')]),
      rule('/stall', [mirror('stall')]),
      rule('/big', [mirror('sluggish')]),
    ] }),
  ]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  for (const res of held) res.end();
  await plane.close();
  await Promise.all([web, shadow, audit, stall, sluggish].map((u) => u.close()));
});

describe('RequestMirror', () => {
  it('sends the mirror the request as forwarded: method, rewritten path and query, changed headers, the Host, the body', async () => {
    const before = await mirrored('sent');
    const res = await send('/copy/item?q=1', { method: 'POST', body: 'hello mirror' });
    expect([res.status, res.echo.upstream, res.echo.url, res.echo.body]).toEqual([200, 'web', '/v2/item?q=1', 'hello mirror']);
    await reaches('sent', before + 1);
    const [copy] = shadow.copiesOf('/v2/item');
    expect(copy).toMatchObject({ method: 'POST', url: '/v2/item?q=1', body: 'hello mirror' });
    expect(copy?.headers).toMatchObject({ host: 'mirror.test', 'x-set': 's', 'x-request-id': res.echo.headers['x-request-id'] });
  });

  it('each of several mirror filters gets a copy', async () => {
    await send('/two?id=a', { method: 'POST', body: 'twice' });
    await waitFor(() => Promise.resolve(shadow.copiesOf('/two').length === 1 && audit.copiesOf('/two').length === 1 ? true : undefined), { what: 'both copies', timeoutMs: 10_000, intervalMs: 10 });
    expect([shadow.copiesOf('/two')[0]?.body, audit.copiesOf('/two')[0]?.body]).toEqual(['twice', 'twice']);
  });

  it('percent 0 sends none, a fraction of 1 sends all', async () => {
    const skippedBefore = await mirrored('skipped');
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => send(`/sample?n=${String(i)}`)));
    expect(replies.every((r) => r.status === 200 && r.echo.upstream === 'web')).toBe(true);
    // Sampling is decided for every mirror before any copy leaves: 20 skips mean every decision is made.
    await reaches('skipped', skippedBefore + 20);
    await waitFor(() => Promise.resolve(shadow.copiesOf('/sample').length === 20 ? true : undefined), { what: '20 copies', timeoutMs: 10_000, intervalMs: 10 });
    expect(audit.copiesOf('/sample')).toHaveLength(0);
  });

  it('a mirror that refuses connections changes nothing for the client; the failure is counted, never retried', async () => {
    const before = await mirrored('failed');
    const res = await send('/dead', { method: 'POST', body: 'x' });
    expect([res.status, res.echo.upstream, res.echo.body]).toEqual([200, 'web', 'x']);
    await reaches('failed', before + 1);
    expect(await mirrored('failed')).toBe(before + 1);
  });

  it('a mirror that never answers does not hold the client\'s answer', async () => {
    const res = await send('/stall', { method: 'POST', body: 'wait for nobody' });
    expect([res.status, res.echo.upstream]).toEqual([200, 'web']);
    await stallArrived;
    // The mirror has the copy and has not answered it: the client's answer did not wait for it.
    expect(held.map((r) => r.headersSent)).toEqual([false]);
  });

  it('a mirror that falls behind a large body loses its copy; the upstream gets the whole body', async () => {
    const before = await mirrored('body_dropped');
    const body = Buffer.alloc(24 * 1024 * 1024, 'b');
    const res = await send('/big', { method: 'POST', body });
    expect([res.status, res.echo.body.length]).toEqual([200, body.length]);
    // Whether the copy fell behind before or after its request reached the mirror, it is dropped.
    await reaches('body_dropped', before + 1);
  }, 30_000);
});
