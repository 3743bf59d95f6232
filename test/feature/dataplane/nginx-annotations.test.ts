// nginx.ingress.kubernetes.io/* annotations over real sockets: Ingresses built into a table by the
// real builder, a real data plane, a real upstream, and what a client sees — the answer that must
// come back, the request that must be refused, the header that must appear.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { request } from 'undici';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import type { RoutingTable } from '../../../src/routing/types.ts';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { deadEndpoint, startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

const INGRESSES: readonly IngressSpec[] = [
  { name: 'forced', host: 'forced.test', annotations: { [`${N}force-ssl-redirect`]: 'true' } },
  { name: 'no-cert', host: 'no-cert.test', annotations: { [`${N}ssl-redirect`]: 'true' } },
  { name: 'moved', host: 'moved.test', annotations: { [`${N}permanent-redirect`]: 'https://new.test$request_uri', [`${N}permanent-redirect-code`]: '308' } },
  { name: 'moved-default', host: 'moved-default.test', annotations: { [`${N}permanent-redirect`]: 'https://new.test/' } },
  { name: 'temporary', host: 'temporary.test', annotations: { [`${N}temporal-redirect`]: '/maintenance' } },
  { name: 'app-root', host: 'app-root.test', annotations: { [`${N}app-root`]: '/app1' } },
  { name: 'www', host: 'www.twin.test', annotations: { [`${N}from-to-www-redirect`]: 'true' } },
  {
    name: 'rewrite', host: 'rewrite.test',
    annotations: { [`${N}rewrite-target`]: '/$2', [`${N}x-forwarded-prefix`]: '/api', [`${N}upstream-vhost`]: 'internal.svc' },
    paths: [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific' }, { path: '/', pathType: 'Prefix' }],
  },
  { name: 'small', host: 'small.test', annotations: { [`${N}proxy-body-size`]: '1k', [`${N}client-body-buffer-size`]: '8k', [`${N}proxy-buffering`]: 'on' } },
  { name: 'cors', host: 'cors.test', annotations: { [`${N}enable-cors`]: 'true', [`${N}cors-allow-origin`]: 'https://app.example.com, https://*.example.org', [`${N}cors-expose-headers`]: 'X-Total', [`${N}cors-max-age`]: '600' } },
  { name: 'cors-any', host: 'cors-any.test', annotations: { [`${N}enable-cors`]: 'true' } },
  {
    name: 'snippet', host: 'snippet.test',
    annotations: { [`${N}configuration-snippet`]: 'more_set_headers "X-Frame-Options: DENY";\nproxy_set_header X-Tenant shop;\nmore_clear_headers X-Upstream;' },
  },
];

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let base = '';
let table: RoutingTable;

interface Echo { url: string; headers: Record<string, string> }

async function get(host: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(`${base}${path}`, { method: (init.method ?? 'GET') as 'GET', headers: { host, ...init.headers }, body: init.body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane();
  const built = buildAnnotated(INGRESSES, [web.endpoint]);
  expect(built.diagnostics).toEqual([]);
  table = built.table;
  plane.tables.publish(table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

describe('ssl-redirect, force-ssl-redirect', () => {
  it('force-ssl-redirect answers plain HTTP with 308 to https, path and query kept', async () => {
    const res = await get('forced.test', '/a/b?x=1');
    expect([res.status, res.headers.location]).toEqual([308, 'https://forced.test/a/b?x=1']);
  });

  it('ssl-redirect "true" on a host without a certificate forwards', async () => {
    expect((await get('no-cert.test', '/')).status).toBe(200);
  });
});

describe('permanent-redirect, temporal-redirect, app-root', () => {
  it('permanent-redirect answers with its code and fills in $request_uri; the upstream is not asked', async () => {
    const before = web.requests.length;
    const res = await get('moved.test', '/p/q?r=1');
    expect([res.status, res.headers.location]).toEqual([308, 'https://new.test/p/q?r=1']);
    expect(web.requests.length).toBe(before);
  });

  it('permanent-redirect is 301 by default, temporal-redirect 302', async () => {
    expect((await get('moved-default.test', '/x')).status).toBe(301);
    const res = await get('temporary.test', '/x');
    expect([res.status, res.headers.location]).toEqual([302, '/maintenance']);
  });

  it('app-root redirects "/" only', async () => {
    const root = await get('app-root.test', '/');
    expect([root.status, root.headers.location]).toEqual([302, 'http://app-root.test/app1']);
    expect((await get('app-root.test', '/app1')).status).toBe(200);
  });
});

describe('from-to-www-redirect', () => {
  it('redirects the bare host to the www host with 308, path and query kept, and serves the www host', async () => {
    const res = await get('twin.test', '/a?b=1');
    expect([res.status, res.headers.location]).toEqual([308, 'http://www.twin.test/a?b=1']);
    expect((await get('www.twin.test', '/a')).status).toBe(200);
  });
});

describe('rewrite-target, use-regex, x-forwarded-prefix, upstream-vhost', () => {
  it('rewrites with the capture group, keeps the query, and sets the prefix and Host headers', async () => {
    const res = await get('rewrite.test', '/api/users/7?sort=asc');
    const echo = JSON.parse(res.text) as Echo;
    expect(echo.url).toBe('/users/7?sort=asc');
    expect(echo.headers['x-forwarded-prefix']).toBe('/api');
    expect(echo.headers.host).toBe('internal.svc');
  });

  it('matches regex paths case-insensitively, "/api" alone too', async () => {
    expect((JSON.parse((await get('rewrite.test', '/API/Users')).text) as Echo).url).toBe('/Users');
    expect((JSON.parse((await get('rewrite.test', '/api')).text) as Echo).url).toBe('/');
  });

  it('a path the regex does not capture goes to the other route, rewritten to its own path', async () => {
    expect((JSON.parse((await get('rewrite.test', '/apiary')).text) as Echo).url).toBe('/');
  });
});

describe('proxy-body-size (client-body-buffer-size and proxy-buffering accepted)', () => {
  it('refuses a larger body with 413 and lets a smaller one through', async () => {
    expect((await get('small.test', '/', { method: 'POST', body: 'x'.repeat(2048) })).status).toBe(413);
    const ok = await get('small.test', '/', { method: 'POST', body: 'y'.repeat(512) });
    expect(ok.status).toBe(200);
  });
});

describe('enable-cors', () => {
  it('answers a preflight from an allowed origin itself, with 204 and the CORS headers', async () => {
    const before = web.requests.length;
    const res = await get('cors.test', '/api', { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' } });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-methods']).toBe('GET, PUT, POST, DELETE, PATCH, OPTIONS');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers.vary).toBe('Origin');
    expect(web.requests.length).toBe(before);
  });

  it('adds the headers to the upstream response for an origin under a wildcard, not for another origin', async () => {
    const allowed = await get('cors.test', '/', { headers: { origin: 'https://shop.example.org' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.org');
    expect(allowed.headers['access-control-expose-headers']).toBe('X-Total');
    const deeper = await get('cors.test', '/', { headers: { origin: 'https://a.b.example.org' } });
    expect(deeper.headers['access-control-allow-origin']).toBeUndefined();
    const other = await get('cors.test', '/', { method: 'OPTIONS', headers: { origin: 'https://evil.test' } });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with the default origin "*", answers any preflight and sends "*"', async () => {
    const res = await get('cors-any.test', '/', { method: 'OPTIONS', headers: { origin: 'https://anyone.test' } });
    expect([res.status, res.headers['access-control-allow-origin']]).toEqual([204, '*']);
  });
});

describe('configuration-snippet (header directives)', () => {
  it('sets the response and request headers it names and clears the one it clears', async () => {
    const res = await get('snippet.test', '/');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-upstream']).toBeUndefined();
    expect((JSON.parse(res.text) as Echo).headers['x-tenant']).toBe('shop');
  });
});

describe('whitelist-source-range, denylist-source-range', () => {
  let trustingPlane: Awaited<ReturnType<typeof startPlane>>;
  let trustingBase = '';
  const ranges: readonly IngressSpec[] = [
    { name: 'office', host: 'office.test', annotations: { [`${N}whitelist-source-range`]: '10.0.0.0/8' } },
    { name: 'local', host: 'local.test', annotations: { [`${N}allowlist-source-range`]: '127.0.0.1/32, ::1' } },
    { name: 'blocked', host: 'blocked.test', annotations: { [`${N}denylist-source-range`]: '10.1.0.0/16' } },
    { name: 'typo', host: 'typo.test', annotations: { [`${N}whitelist-source-range`]: '10.0.0.0/33' } },
  ];

  beforeAll(async () => {
    trustingPlane = await startPlane({ options: { ...defaultDataPlaneOptions, trustedProxies: ['127.0.0.1/32'] } });
    const built = buildAnnotated(ranges, [web.endpoint]);
    expect(built.diagnostics.map((d) => d.reason)).toEqual(['InvalidAnnotation']);
    trustingPlane.tables.publish(built.table);
    plane.tables.publish(built.table);
    trustingBase = `http://127.0.0.1:${trustingPlane.httpPort}`;
  });

  afterAll(async () => {
    plane.tables.publish(table);
    await trustingPlane.close();
  });

  const status = async (at: string, host: string, forwardedFor?: string): Promise<number> => {
    const res = await request(`${at}/`, { headers: { host, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) } });
    await res.body.dump();
    return res.statusCode;
  };

  it('refuses a client outside the allowlist with 403 and serves one inside', async () => {
    expect(await status(base, 'office.test')).toBe(403);
    expect(await status(base, 'local.test')).toBe(200);
  });

  it('takes the client address from X-Forwarded-For only behind a trusted proxy', async () => {
    expect(await status(base, 'office.test', '10.2.3.4')).toBe(403);
    expect(await status(trustingBase, 'office.test', '10.2.3.4')).toBe(200);
    expect(await status(trustingBase, 'office.test', '10.2.3.4, 192.0.2.1')).toBe(403);
  });

  it('refuses a client in the denylist and serves the others', async () => {
    expect(await status(trustingBase, 'blocked.test', '10.1.2.3')).toBe(403);
    expect(await status(trustingBase, 'blocked.test', '10.2.2.3')).toBe(200);
  });

  it('refuses a WebSocket upgrade from outside the allowlist before the upstream is asked', async () => {
    const before = web.requests.length;
    const handshake = 'GET /chat HTTP/1.1\r\nHost: office.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    expect(await statusLine(plane.httpPort, handshake)).toBe('HTTP/1.1 403 Forbidden');
    expect(web.requests.length).toBe(before);
  });

  it('an invalid range refuses every request with 503 rather than opening the route', async () => {
    expect(await status(base, 'typo.test')).toBe(503);
    expect(await status(trustingBase, 'typo.test', '10.1.1.1')).toBe(503);
  });
});

/** The status line of the answer to a raw request; the connection is then dropped. */
function statusLine(port: number, raw: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('latin1').on('data', (c: string) => {
      text += c;
      if (text.includes('\r\n')) { socket.destroy(); resolve(text.split('\r\n')[0] ?? ''); }
    });
    socket.write(raw);
  });
}

describe('proxy-next-upstream, proxy-read-timeout', () => {
  let dead: Awaited<ReturnType<typeof deadEndpoint>>;
  let silent: TestUpstream;

  beforeAll(async () => {
    dead = await deadEndpoint();
    silent = await startUpstream('silent', () => { /* never answers */ });
  });

  afterAll(async () => {
    plane.tables.publish(table);
    await silent.close();
  });

  it('retries a refused connect on the next endpoint by default, and not with proxy-next-upstream "off"', async () => {
    const built = buildAnnotated([
      { name: 'retrying', host: 'retrying.test', annotations: {} },
      { name: 'off', host: 'off.test', annotations: { [`${N}proxy-next-upstream`]: 'off' } },
    ], [dead, web.endpoint]);
    plane.tables.publish(built.table);
    const retrying = await Promise.all([1, 2, 3, 4].map(async () => (await get('retrying.test', '/')).status));
    expect(retrying).toEqual([200, 200, 200, 200]);
    const off = await Promise.all([1, 2, 3, 4].map(async () => (await get('off.test', '/')).status));
    expect(off).toContain(502);
  });

  it('proxy-read-timeout answers 504 when the upstream stays silent', async () => {
    const built = buildAnnotated([{ name: 'slow', host: 'slow.test', annotations: { [`${N}proxy-read-timeout`]: '1' } }], [silent.endpoint]);
    plane.tables.publish(built.table);
    expect((await get('slow.test', '/')).status).toBe(504);
  });
});
