// nginx affinity: cookie over real sockets: the first answer sets the session cookie (an opaque hash,
// not the address), later requests carrying it reach the same upstream whatever the balancer would
// do, and when the named endpoint fails, session-cookie-change-on-failure decides whether the cookie
// moves to the endpoint that served instead.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { endpointHash } from '../../../src/dataplane/upstream/endpoint-hash.ts';
import type { Endpoint } from '../../../src/routing/types.ts';
import { buildAnnotated } from './annotated-table.ts';
import { deadEndpoint, startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
type Plane = Awaited<ReturnType<typeof startPlane>>;

const upstreams: TestUpstream[] = [];
let sticky: Plane;
let failover: Plane;
let dead: Endpoint;

async function get(plane: Plane, host: string, path: string, cookie?: string): Promise<{ upstream: string; setCookie: string[] }> {
  const res = await request(`http://127.0.0.1:${plane.httpPort}${path}`, { headers: { host, ...(cookie === undefined ? {} : { cookie }) } });
  await res.body.dump();
  expect(res.statusCode).toBe(200);
  const set = res.headers['set-cookie'];
  return { upstream: String(res.headers['x-upstream']), setCookie: set === undefined ? [] : Array.isArray(set) ? set : [set] };
}

const valueOf = (setCookie: string): string => /^[^=]+=([^;]*)/.exec(setCookie)?.[1] ?? '';

beforeAll(async () => {
  upstreams.push(await startUpstream('a'), await startUpstream('b'), await startUpstream('c'));
  for (const [i, u] of upstreams.entries()) {
    u.server.on('upgrade', (req, socket: Duplex) => {
      const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Upstream: ${'abc'[i] ?? ''}\r\n\r\n`);
      socket.on('end', () => socket.end());
    });
  }
  sticky = await startPlane();
  failover = await startPlane();
  dead = await deadEndpoint();
  const live = await startUpstream('live');
  upstreams.push(live);
  const built = buildAnnotated([
    { name: 'sticky', host: 'sticky.test', annotations: { [`${N}affinity`]: 'cookie', [`${N}session-cookie-name`]: 'route', [`${N}session-cookie-max-age`]: '60', [`${N}session-cookie-samesite`]: 'Lax' } },
    { name: 'cart', host: 'cart.test', annotations: { [`${N}affinity`]: 'cookie' }, paths: [{ path: '/cart', pathType: 'Prefix' }] },
    { name: 'plain', host: 'plain.test', annotations: {} },
  ], upstreams.slice(0, 3).map((u) => u.endpoint));
  expect(built.diagnostics).toEqual([]);
  sticky.tables.publish(built.table);

  const both = buildAnnotated([
    { name: 'moves', host: 'moves.test', annotations: { [`${N}affinity`]: 'cookie', [`${N}session-cookie-change-on-failure`]: 'true' } },
    { name: 'stays', host: 'stays.test', annotations: { [`${N}affinity`]: 'cookie' } },
  ], [dead, live.endpoint]);
  failover.tables.publish(both.table);
});

afterAll(async () => {
  await sticky.close();
  await failover.close();
  for (const u of upstreams) await u.close();
});

describe('affinity: cookie', () => {
  it('sets the cookie on the first answer, with the annotations\' attributes and no address in it', async () => {
    const { setCookie } = await get(sticky, 'sticky.test', '/');
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^route=[0-9a-f]{32}; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/);
    for (const u of upstreams.slice(0, 3)) expect(setCookie[0]).not.toContain(String(u.endpoint.port));
  });

  it('sends every request with the cookie to the endpoint it names, and sets it no more', async () => {
    const sessions = new Map<string, string>();
    for (let i = 0; i < 6; i++) {
      const first = await get(sticky, 'sticky.test', '/');
      sessions.set(first.upstream, `route=${valueOf(first.setCookie[0] ?? '')}`);
    }
    expect([...sessions.keys()].sort()).toEqual(['a', 'b', 'c']);
    for (const [upstream, cookie] of sessions) {
      for (let i = 0; i < 4; i++) expect(await get(sticky, 'sticky.test', `/${i}`, `theme=dark; ${cookie}`)).toEqual({ upstream, setCookie: [] });
    }
  });

  it('answers a cookie naming no endpoint from the balancer, with a new cookie', async () => {
    const { setCookie } = await get(sticky, 'sticky.test', '/', 'route=00000000000000000000000000000000');
    expect(setCookie[0]).toMatch(/^route=[0-9a-f]{32};/);
    expect(valueOf(setCookie[0] ?? '')).not.toBe('00000000000000000000000000000000');
  });

  it('defaults to INGRESSCOOKIE with the route\'s path, and a route without affinity sets nothing', async () => {
    expect((await get(sticky, 'cart.test', '/cart/items')).setCookie).toEqual([expect.stringMatching(/^INGRESSCOOKIE=[0-9a-f]{32}; Path=\/cart; HttpOnly$/)]);
    expect((await get(sticky, 'plain.test', '/')).setCookie).toEqual([]);
  });
});

/** The X-Upstream of the 101 answer to a WebSocket upgrade carrying `cookie`. */
function upgradeReaches(cookie: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(sticky.httpPort, '127.0.0.1');
    let head = '';
    socket.setEncoding('latin1').on('error', reject).on('data', (c: string) => {
      head += c;
      if (!head.includes('\r\n\r\n')) return;
      socket.destroy();
      resolve(/^x-upstream: (.*)\r$/im.exec(head)?.[1] ?? head);
    });
    socket.write(`GET /ws HTTP/1.1\r\nHost: sticky.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${cookie}\r\n\r\n`);
  });
}

describe('affinity: cookie and WebSocket upgrades', () => {
  it('sends an upgrade carrying the cookie to the endpoint it names', async () => {
    for (const [i, u] of upstreams.slice(0, 3).entries()) {
      const cookie = `route=${endpointHash(u.endpoint)}`;
      for (let n = 0; n < 3; n++) expect(await upgradeReaches(cookie)).toBe('abc'[i]);
    }
  });
});

describe('session-cookie-change-on-failure', () => {
  it('"true": the request goes to another endpoint and the cookie moves to it', async () => {
    const res = await get(failover, 'moves.test', '/', `INGRESSCOOKIE=${endpointHash(dead)}`);
    expect(res.upstream).toBe('live');
    expect(res.setCookie).toHaveLength(1);
    expect(valueOf(res.setCookie[0] ?? '')).not.toBe(endpointHash(dead));
  });

  it('"false" (default): the request goes to another endpoint and the cookie stays', async () => {
    const res = await get(failover, 'stays.test', '/', `INGRESSCOOKIE=${endpointHash(dead)}`);
    expect(res).toEqual({ upstream: 'live', setCookie: [] });
  });
});
