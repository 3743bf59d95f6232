// The HTTPRoute CORS filter over real sockets: routes shaped like the conformance suite's
// (HTTPRouteCORS), built by the real builder, served by a real data plane to a real upstream.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../support/routing/gateway-world.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let base = '';

const rule = (prefix: string, cors: object) => ({
  matches: [{ path: { type: 'PathPrefix', value: prefix } }], filters: [{ type: 'CORS', cors }], backendRefs: [{ name: 'web', port: 80 }],
});

async function send(path: string, method: string, headers: Record<string, string>) {
  const res = await request(`${base}${path}`, { method: method as 'GET', headers: { host: 'cors.test', ...headers } });
  await res.body.text();
  const h = (name: string) => res.headers[name] as string | undefined;
  return { status: res.statusCode, reached: res.headers['x-upstream'] === 'web', h };
}
const preflight = (path: string, origin: string, extra: Record<string, string> = {}) =>
  send(path, 'OPTIONS', { origin, 'access-control-request-method': 'GET', ...extra });

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane();
  const built = build([
    gatewayClass(), gateway('app', 'edge', [httpListener()]), ...service('app', 'web', 80, ['127.0.0.1'], web.endpoint.port),
    httpRoute('app', 'cors', { parentRefs: [{ name: 'edge' }], hostnames: ['cors.test'], rules: [
      rule('/cors-1', {
        allowOrigins: ['https://www.foo.com', 'https://*.bar.com'], allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['x-header-1', 'x-header-2'],
        exposeHeaders: ['x-header-3', 'x-header-4'], allowCredentials: true, maxAge: 3600,
      }),
      rule('/cors-2', { allowOrigins: ['https://www.foo.com'], allowMethods: ['*'] }),
      rule('/any-origin', { allowOrigins: ['*'], allowMethods: ['PUT'], allowCredentials: false }),
      rule('/wild', { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'], allowCredentials: true }),
      rule('/wild-unauth', { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'] }),
    ] }),
  ]);
  expect(built.gatewayApi?.routes[0]?.parents[0]?.conditions.every((c) => c.status === 'True')).toBe(true);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

describe('CORS preflights are answered by Bollard', () => {
  it('an exact or wildcard origin (any number of labels) gets 204 with every CORS header; the upstream never sees it', async () => {
    for (const origin of ['https://www.foo.com', 'https://www.bar.com', 'https://xpto.www.bar.com', 'https://WWW.foo.com:443']) {
      const res = await preflight('/cors-1', origin, { 'access-control-request-headers': 'x-header-1, x-header-2' });
      expect([res.status, res.reached]).toEqual([204, false]);
      expect(res.h('access-control-allow-origin')).toBe(origin);
      expect(res.h('access-control-allow-methods')).toBe('GET, OPTIONS');
      expect(res.h('access-control-allow-headers')).toBe('x-header-1, x-header-2');
      expect(res.h('access-control-expose-headers')).toBe('x-header-3, x-header-4');
      expect(res.h('access-control-max-age')).toBe('3600');
      expect(res.h('access-control-allow-credentials')).toBe('true');
      expect(res.h('vary')).toBe('Origin');
    }
  });

  it('an origin not allowed gets a bare 204, not the upstream', async () => {
    for (const origin of ['https://foobar.com', 'https://bar.com', 'http://www.foo.com', 'https://www.foo.com:8443']) {
      const res = await preflight('/cors-1', origin);
      expect([res.status, res.reached, res.h('access-control-allow-origin')]).toEqual([204, false, undefined]);
    }
  });

  it('without credentials: no Allow-Credentials, "*" methods and origins answered as "*", maxAge defaulting to 5', async () => {
    const methods = await send('/cors-2', 'OPTIONS', { origin: 'https://www.foo.com', 'access-control-request-method': 'POST' });
    expect([methods.h('access-control-allow-origin'), methods.h('access-control-allow-methods'), methods.h('access-control-allow-credentials')])
      .toEqual(['https://www.foo.com', '*', undefined]);
    expect(methods.h('access-control-max-age')).toBe('5');
    for (const origin of ['https://foobar.com', 'https://foobar.com:12345']) {
      const any = await send('/any-origin', 'OPTIONS', { origin, 'access-control-request-method': 'PUT' });
      expect([any.status, any.h('access-control-allow-origin'), any.h('access-control-allow-methods'), any.h('access-control-allow-credentials')])
        .toEqual([204, '*', 'PUT', undefined]);
    }
  });

  it('with credentials, "*" echoes the origin, method and headers asked for, and exposes none', async () => {
    const res = await send('/wild', 'OPTIONS', {
      origin: 'https://other.foo.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-header-1, x-header-2',
    });
    expect([res.status, res.h('access-control-allow-origin'), res.h('access-control-allow-methods'), res.h('access-control-allow-headers')])
      .toEqual([204, 'https://other.foo.com', 'PUT', 'x-header-1, x-header-2']);
    expect([res.h('access-control-allow-credentials'), res.h('access-control-expose-headers')]).toEqual(['true', undefined]);
    const unauth = await send('/wild-unauth', 'OPTIONS', {
      origin: 'https://other.foo.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-header-1',
    });
    expect([unauth.h('access-control-allow-origin'), unauth.h('access-control-allow-methods'), unauth.h('access-control-allow-headers')]).toEqual(['*', '*', '*']);
    expect([unauth.h('access-control-allow-credentials'), unauth.h('access-control-expose-headers')]).toEqual([undefined, '*']);
  });

  it('an OPTIONS without Access-Control-Request-Method is no preflight: it is forwarded', async () => {
    const res = await send('/cors-1', 'OPTIONS', { origin: 'https://www.foo.com' });
    expect([res.status, res.reached, res.h('access-control-allow-origin')]).toEqual([200, true, 'https://www.foo.com']);
  });
});

describe('CORS on requests that reach the upstream', () => {
  it('an allowed origin gets the CORS headers on the upstream\'s answer; another origin, or none, gets none', async () => {
    const allowed = await send('/cors-1', 'GET', { origin: 'https://www.bar.com' });
    expect([allowed.status, allowed.reached, allowed.h('access-control-allow-origin'), allowed.h('access-control-allow-credentials')])
      .toEqual([200, true, 'https://www.bar.com', 'true']);
    expect(allowed.h('access-control-expose-headers')).toBe('x-header-3, x-header-4');
    const other = await send('/cors-1', 'GET', { origin: 'https://foobar.com' });
    expect([other.status, other.reached, other.h('access-control-allow-origin')]).toEqual([200, true, undefined]);
    const none = await send('/any-origin', 'PUT', {});
    expect([none.reached, none.h('access-control-allow-origin')]).toEqual([true, undefined]);
  });

  it('"*" with credentials echoes the origin; without, answers "*" and no Allow-Credentials', async () => {
    const wild = await send('/wild', 'GET', { origin: 'https://other.foo.com' });
    expect([wild.h('access-control-allow-origin'), wild.h('access-control-allow-credentials')]).toEqual(['https://other.foo.com', 'true']);
    const unauth = await send('/wild-unauth', 'GET', { origin: 'https://other.foo.com' });
    expect([unauth.h('access-control-allow-origin'), unauth.h('access-control-allow-credentials')]).toEqual(['*', undefined]);
    const port = await send('/any-origin', 'PUT', { origin: 'https://foobar.com:12345' });
    expect([port.status, port.h('access-control-allow-origin')]).toEqual([200, '*']);
  });
});
