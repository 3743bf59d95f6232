// nginx enable-rewrite-log over real sockets: Ingresses built into a table by the real builder, an
// in-process data plane whose log lines are kept. Each request whose path (rewrite-target) or Host
// (upstream-vhost) the rewrite changes is one JSON line, level info, msg "rewrite"; a request the
// rewrite leaves as it is, a redirect (app-root), x-forwarded-prefix and an Ingress without the
// annotation write none.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { createLogger } from '../../../src/log/logger.ts';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const LOGGED = { [`${N}enable-rewrite-log`]: 'true' };

const INGRESSES: IngressSpec[] = [
  {
    name: 'api', host: 'api.test', annotations: { ...LOGGED, [`${N}rewrite-target`]: '/$2' },
    paths: [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific' }],
  },
  // The target is the path itself: the rewrite runs and changes nothing.
  { name: 'same', host: 'same.test', annotations: { ...LOGGED, [`${N}rewrite-target`]: '/$1' }, paths: [{ path: '/(.*)', pathType: 'ImplementationSpecific' }] },
  { name: 'vhost', host: 'vhost.test', annotations: { ...LOGGED, [`${N}upstream-vhost`]: 'internal.svc' } },
  {
    name: 'quiet', host: 'quiet.test', annotations: { [`${N}rewrite-target`]: '/$2' },
    paths: [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific' }],
  },
  { name: 'redirect', host: 'redirect.test', annotations: { ...LOGGED, [`${N}app-root`]: '/app', [`${N}x-forwarded-prefix`]: '/shop' } },
];

interface Echo { url: string; headers: Record<string, string> }
type Line = Record<string, unknown>;

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
const lines: Line[] = [];

beforeAll(async () => {
  web = await startUpstream('web');
  const log = createLogger('info', (line) => { lines.push(JSON.parse(line) as Line); });
  plane = await startPlane({}, { log });
  const built = buildAnnotated(INGRESSES, [web.endpoint]);
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

/** A GET through the data plane, and the "rewrite" lines it wrote (the step logs before the request is forwarded). */
async function get(host: string, path: string): Promise<{ status: number; location: unknown; echo: Echo | undefined; logged: Line[] }> {
  const before = lines.length;
  const res = await request(`http://127.0.0.1:${plane.httpPort}${path}`, { headers: { host } });
  const text = await res.body.text();
  const echo = res.statusCode === 200 ? JSON.parse(text) as Echo : undefined;
  return { status: res.statusCode, location: res.headers.location, echo, logged: lines.slice(before).filter((l) => l.msg === 'rewrite') };
}

describe('enable-rewrite-log "true"', () => {
  it('logs a path rewrite-target changes: the Ingress, the route, the Host and the path as sent and as rewritten, query included', async () => {
    const { echo, logged } = await get('api.test', '/api/users/7?sort=asc');
    expect(echo?.url).toBe('/users/7?sort=asc');
    expect(logged).toEqual([{
      time: expect.any(String), level: 'info', msg: 'rewrite',
      ingress: 'shop/api', route: 'Prefix /api(/|$)(.*)', host: 'api.test', path: '/api/users/7?sort=asc', rewrittenPath: '/users/7?sort=asc',
    }]);
  });

  it('writes one line per request', async () => {
    const first = await get('api.test', '/API/a');
    const second = await get('api.test', '/api');
    expect([...first.logged, ...second.logged].map((l) => [l.path, l.rewrittenPath])).toEqual([['/API/a', '/a'], ['/api', '/']]);
  });

  it('logs the Host upstream-vhost sends instead of the client\'s, the path unchanged', async () => {
    const { echo, logged } = await get('vhost.test', '/x?y=1');
    expect(echo?.headers.host).toBe('internal.svc');
    expect(logged).toEqual([expect.objectContaining({ ingress: 'shop/vhost', route: 'Prefix /', host: 'vhost.test', path: '/x?y=1', rewrittenPath: '/x?y=1', rewrittenHost: 'internal.svc' })]);
  });

  it('writes nothing when the rewrite leaves the path as it was', async () => {
    const { echo, logged } = await get('same.test', '/kept?q=1');
    expect(echo?.url).toBe('/kept?q=1');
    expect(logged).toEqual([]);
  });

  it('writes nothing for app-root\'s redirect or x-forwarded-prefix: they are not rewrites', async () => {
    const redirected = await get('redirect.test', '/');
    expect([redirected.status, redirected.location, redirected.logged]).toEqual([302, 'http://redirect.test/app', []]);
    const forwarded = await get('redirect.test', '/app/x');
    expect([forwarded.echo?.url, forwarded.echo?.headers['x-forwarded-prefix'], forwarded.logged]).toEqual(['/app/x', '/shop', []]);
  });
});

describe('without enable-rewrite-log', () => {
  it('rewrites without a line', async () => {
    const { echo, logged } = await get('quiet.test', '/api/users');
    expect(echo?.url).toBe('/users');
    expect(logged).toEqual([]);
  });
});
