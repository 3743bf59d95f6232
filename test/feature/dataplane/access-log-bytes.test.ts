// The access log's "bytes" is the body the client got, for answers Bollard gives itself too: an
// ACME HTTP-01 key authorization, a 404, a 308 redirect and a 503 were all logged as 0. A route with
// the access log off (nginx enable-access-log "false") writes no line but is still counted.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'undici';
import { waitFor } from '../../harness/wait-for.ts';
import { hostRoutes, route, startPlane, table, upstream } from './support.ts';

const KEY_AUTHORIZATION = 'tok-1.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN';
const lines: string[] = [];
let plane: Awaited<ReturnType<typeof startPlane>>;

beforeAll(async () => {
  plane = await startPlane({ accessLog: true }, {
    accessLog: (line) => { lines.push(line); },
    challenges: (token) => (token === 'tok-1' ? KEY_AUTHORIZATION : undefined),
  });
  plane.tables.publish(table({
    'secure.test': hostRoutes(route('/', upstream('web', []), { sslRedirect: true })),
    'empty.test': hostRoutes(route('/', upstream('none', []))),
    // nginx enable-access-log "false"
    'quiet.test': hostRoutes(route('/', upstream('quiet', []), { accessLog: false })),
  }));
});

afterAll(async () => {
  await plane.close();
});

const loggedBytes = (path: string): Promise<number> => waitFor(() => {
  const line = lines.map((l) => JSON.parse(l) as { path: string; bytes: number }).find((l) => l.path === path);
  return Promise.resolve(line?.bytes);
}, { what: `access-log line for ${path}`, timeoutMs: 5_000, intervalMs: 10 });

it.each([
  ['an HTTP-01 answer', 'secure.test', '/.well-known/acme-challenge/tok-1', 200],
  ['a redirect', 'secure.test', '/redirected', 308],
  ['no route', 'unknown.test', '/nowhere', 404],
  ['no endpoints', 'empty.test', '/empty', 503],
])('logs the body bytes sent for %s', async (_what, host, path, status) => {
  const res = await request(`http://127.0.0.1:${plane.httpPort}${path}`, { headers: { host } });
  const body = Buffer.from(await res.body.arrayBuffer());
  expect(res.statusCode).toBe(status);
  expect(body.length).toBeGreaterThan(0);
  expect(await loggedBytes(path)).toBe(body.length);
});

it('writes no line for a route with the access log off (enable-access-log "false"), and logs the next request', async () => {
  const quiet = await request(`http://127.0.0.1:${plane.httpPort}/not-logged`, { headers: { host: 'quiet.test' } });
  await quiet.body.dump();
  expect(quiet.statusCode).toBe(503);
  const after = await request(`http://127.0.0.1:${plane.httpPort}/logged-after`, { headers: { host: 'empty.test' } });
  await after.body.dump();
  await loggedBytes('/logged-after');
  expect(lines.filter((l) => l.includes('/not-logged'))).toEqual([]);
  expect(await plane.metrics.dataPlaneRegistry.getSingleMetricAsString('bollard_requests_total')).toContain('service="test/quiet:80",status_class="5xx"} 1');
});
