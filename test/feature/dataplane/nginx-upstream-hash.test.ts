// nginx upstream-hash-by over real sockets: a table built by the real builder from annotated
// Ingresses over three real upstreams. Requests with one key (here the request URI, or a header)
// reach one upstream whether they come over HTTP/1.1 or HTTP/2; with subsets they stay within one
// subset; a key whose endpoint refuses connections is served by the next one on the ring; a
// WebSocket upgrade is hashed like a request; and affinity: cookie wins over the hash, as in
// ingress-nginx.
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { H2CClient, request } from 'undici';
import { hashKeyPosition } from '../../../src/dataplane/upstream/hash-key.ts';
import { endpointKey } from '../../../src/dataplane/upstream/endpoint-stats.ts';
import { SessionRing } from '../../../src/dataplane/upstream/session-ring.ts';
import type { Endpoint } from '../../../src/routing/types.ts';
import { buildAnnotated } from './annotated-table.ts';
import { deadEndpoint, startPlane, startUpstream, upgradeAnswerUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
type Plane = Awaited<ReturnType<typeof startPlane>>;

const upstreams: TestUpstream[] = [];
let plane: Plane;
let failover: Plane;
let h2: H2CClient;
const nameByPort = new Map<number, string>();
/** The ports of the upstream's endpoints, in its order (the order subsets are cut in). */
let subsetOrder: number[] = [];
let failoverEndpoints: Endpoint[] = [];
let deadPort = 0;

async function reached(on: Plane, host: string, path: string, headers: Record<string, string> = {}): Promise<{ upstream: string; setCookie: boolean }> {
  const res = await request(`http://127.0.0.1:${String(on.httpPort)}${path}`, { headers: { host, ...headers } });
  await res.body.dump();
  expect(res.statusCode).toBe(200);
  return { upstream: String(res.headers['x-upstream']), setCookie: res.headers['set-cookie'] !== undefined };
}


const upstreamOf = async (host: string, path: string, headers: Record<string, string> = {}): Promise<string> => (await reached(plane, host, path, headers)).upstream;

beforeAll(async () => {
  upstreams.push(await startUpstream('a'), await startUpstream('b'), await startUpstream('c'));
  for (const [i, u] of upstreams.entries()) {
    u.server.on('upgrade', (req, socket: Duplex) => {
      const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Upstream: ${'abc'[i] ?? ''}\r\n\r\n`);
      socket.on('end', () => socket.end());
    });
  }
  plane = await startPlane({ h2c: true });
  failover = await startPlane();
  const built = buildAnnotated([
    { name: 'by-uri', host: 'by-uri.test', annotations: { [`${N}upstream-hash-by`]: '$request_uri' } },
    { name: 'by-user', host: 'by-user.test', annotations: { [`${N}upstream-hash-by`]: '$http_x_user', [`${N}load-balance`]: 'ewma' } },
    { name: 'subset', host: 'subset.test', annotations: { [`${N}upstream-hash-by`]: '$arg_id', [`${N}upstream-hash-by-subset`]: 'true', [`${N}upstream-hash-by-subset-size`]: '2' } },
    { name: 'sticky', host: 'sticky.test', annotations: { [`${N}upstream-hash-by`]: '$request_uri', [`${N}affinity`]: 'cookie' } },
  ], upstreams.map((u) => u.endpoint));
  expect(built.diagnostics).toEqual([]);
  plane.tables.publish(built.table);
  for (const u of upstreams) nameByPort.set(u.endpoint.port, String(['a', 'b', 'c'][upstreams.indexOf(u)]));
  subsetOrder = [...built.table.upstreams.values()].flatMap((u) => u.endpoints.map((e) => e.port));
  const dead = await deadEndpoint();
  deadPort = dead.port;
  const live = upstreams[0]?.endpoint;
  if (live === undefined) throw new Error('no upstream');
  const ring = buildAnnotated([{ name: 'ring', host: 'ring.test', annotations: { [`${N}upstream-hash-by`]: '$request_uri' } }], [dead, live]).table;
  failoverEndpoints = [...ring.upstreams.values()].flatMap((u) => u.endpoints);
  failover.tables.publish(ring);
  h2 = new H2CClient(`http://127.0.0.1:${String(plane.httpPort)}`);
});

afterAll(async () => {
  await h2.close();
  await plane.close();
  await failover.close();
  for (const u of upstreams) await u.close();
});

describe('upstream-hash-by', () => {
  it('sends every request with one URI to one upstream, and spreads URIs over all of them', async () => {
    const owners = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const path = `/items/${String(i)}?page=2`;
      const first = await upstreamOf('by-uri.test', path);
      for (let j = 0; j < 3; j++) expect(await upstreamOf('by-uri.test', path)).toBe(first);
      owners.add(first);
    }
    expect([...owners].sort()).toEqual(['a', 'b', 'c']);
  });

  it('hashes an HTTP/2 request like the same HTTP/1.1 one', async () => {
    for (let i = 0; i < 6; i++) {
      const path = `/h2/${String(i)}`;
      const res = await h2.request({ path, method: 'GET', headers: { host: 'by-uri.test' } });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['x-upstream'])).toBe(await upstreamOf('by-uri.test', path));
    }
  });

  it('keys on a header, whatever load-balance says', async () => {
    for (const user of ['ann', 'bob', 'cyd', 'dee']) {
      const first = await upstreamOf('by-user.test', '/a', { 'x-user': user });
      for (const path of ['/b', '/c?x=1', '/d']) expect(await upstreamOf('by-user.test', path, { 'x-user': user })).toBe(first);
    }
  });

  it('with subsets of 2, keeps a key within one subset and uses both its members', async () => {
    // Three endpoints in subsets of two, as ingress-nginx cuts them in the upstream's order: [1st, 2nd] and [3rd, 1st].
    const names = subsetOrder.map((port) => nameByPort.get(port));
    const subsets = [[names[0], names[1]], [names[2], names[0]]].map((s) => s.map(String).sort());
    for (const id of ['1', '2', '3', '4']) {
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) seen.add(await upstreamOf('subset.test', `/?id=${id}&n=${String(i)}`));
      expect(subsets).toContainEqual([...seen].sort());
    }
  });

  it('serves a key whose endpoint refuses connections from the next one on the ring', async () => {
    // The ring the balancer builds over the two endpoints: pick keys the refusing one owns.
    const ring = new SessionRing(failoverEndpoints.map(endpointKey));
    const deadIndex = failoverEndpoints.findIndex((e) => e.port === deadPort);
    const keys = Array.from({ length: 200 }, (_, i) => `/k/${String(i)}`).filter((k) => ring.ownerAt(hashKeyPosition(k)) === deadIndex).slice(0, 4);
    expect(keys).toHaveLength(4);
    for (const key of keys) expect((await reached(failover, 'ring.test', key)).upstream).toBe('a');
  });

  it('sends a WebSocket upgrade where a request with the same URI goes', async () => {
    for (let i = 0; i < 6; i++) {
      const path = `/ws/${String(i)}`;
      expect(await upgradeAnswerUpstream(plane.httpPort, 'by-uri.test', path)).toBe(await upstreamOf('by-uri.test', path));
    }
  });

  it('gives way to affinity: cookie, which sets its cookie', async () => {
    expect((await reached(plane, 'sticky.test', '/same')).setCookie).toBe(true);
  });
});
