// The access log's "client": the address access rules see (nginx's $remote_addr after real_ip):
// the peer's, or behind --trusted-proxies the X-Forwarded-For client; for requests, refusals and
// WebSocket upgrades alike. Clients connect from other loopback addresses so each is told apart.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { waitFor } from '../../harness/wait-for.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';

const lines: string[] = [];
let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane({ accessLog: true, options: { ...defaultDataPlaneOptions, trustedProxies: ['127.0.0.2'] } }, {
    accessLog: (line) => { lines.push(line); },
  });
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

/** Sends GET `path` from `localAddress` with these headers; resolves with the status. */
function get(path: string, localAddress: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: plane.httpPort, path, localAddress, headers: { host: 'shop.test', ...headers }, agent: false }, (res) => {
      res.resume().on('end', () => { resolve(res.statusCode ?? 0); });
    });
    req.on('error', reject).end();
  });
}

const loggedClient = (path: string): Promise<string> => waitFor(() => {
  const line = lines.map((l) => JSON.parse(l) as { path: string; client: string }).find((l) => l.path === path);
  return Promise.resolve(line?.client);
}, { what: `access-log line for ${path}`, timeoutMs: 5_000, intervalMs: 10 });

it('logs the peer, whatever X-Forwarded-For an untrusted peer sends', async () => {
  expect(await get('/untrusted', '127.0.0.3', { 'x-forwarded-for': '198.51.100.66' })).toBe(200);
  expect(await loggedClient('/untrusted')).toBe('127.0.0.3');
});

it('logs the X-Forwarded-For client behind a trusted proxy', async () => {
  expect(await get('/trusted', '127.0.0.2', { 'x-forwarded-for': '203.0.113.9, 127.0.0.2' })).toBe(200);
  expect(await loggedClient('/trusted')).toBe('203.0.113.9');
});

it('logs the client of an answer Bollard gives itself, and of a refused WebSocket upgrade', async () => {
  expect(await get('/missing', '127.0.0.4', { host: 'unknown.test' })).toBe(404);
  expect(await loggedClient('/missing')).toBe('127.0.0.4');
  const upgrade = { host: 'unknown.test', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
  expect(await get('/ws-missing', '127.0.0.5', upgrade)).toBe(404);
  expect(await loggedClient('/ws-missing')).toBe('127.0.0.5');
});
