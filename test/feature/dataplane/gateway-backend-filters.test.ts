// Per-backendRef filters over real sockets: with weighted backends, each request carries the header
// changes of the backend it was actually sent to (the conformance suite's
// HTTPRouteRequestHeaderModifierBackendWeights), and a single backend's filters apply to its route.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../support/routing/gateway-world.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let v1: TestUpstream;
let v2: TestUpstream;
let base = '';

interface Echo { upstream: string; headers: Record<string, string | undefined> }

async function send(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, { headers: { host: 'backends.test', ...headers } });
  const echo = (await res.body.json()) as Echo;
  return { status: res.statusCode, echo, responseHeader: (name: string) => res.headers[name] as string | undefined };
}

const headerFilter = (set: readonly (readonly [string, string])[], extra: object = {}) =>
  ({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: set.map(([name, value]) => ({ name, value })), ...extra } });

beforeAll(async () => {
  [v1, v2] = await Promise.all([startUpstream('v1'), startUpstream('v2')]);
  plane = await startPlane();
  const built = build([
    gatewayClass(), gateway('app', 'edge', [httpListener()]),
    ...service('app', 'v1', 80, ['127.0.0.1'], v1.endpoint.port), ...service('app', 'v2', 80, ['127.0.0.1'], v2.endpoint.port),
    httpRoute('app', 'backends', { parentRefs: [{ name: 'edge' }], hostnames: ['backends.test'], rules: [
      { filters: [headerFilter([['X-Rule', 'rule']])], backendRefs: [
        { name: 'v1', port: 80, weight: 10, filters: [headerFilter([['Backend', 'v1']])] },
        { name: 'v2', port: 80, weight: 10, filters: [
          headerFilter([['Backend', 'v2'], ['X-Rule', 'backend wins']]),
          { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'X-Served-By', value: 'v2' }] } },
        ] },
      ] },
      { matches: [{ path: { type: 'PathPrefix', value: '/single' } }], backendRefs: [
        { name: 'v1', port: 80, filters: [headerFilter([['X-Set', 'set']], { add: [{ name: 'X-Add', value: 'b' }], remove: ['X-Remove'] })] },
      ] },
    ] }),
  ]);
  expect(built.gatewayApi?.routes[0]?.parents[0]?.conditions.every((c) => c.status === 'True')).toBe(true);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await Promise.all([v1.close(), v2.close()]);
});

describe('per-backendRef filters', () => {
  it('with weighted backends, every request carries the headers of the backend it reached, and only those', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const { status, echo, responseHeader } = await send('/');
      expect(status).toBe(200);
      expect(echo.headers.backend).toBe(echo.upstream);
      expect(echo.headers['x-rule']).toBe(echo.upstream === 'v2' ? 'backend wins' : 'rule');
      expect(responseHeader('x-served-by')).toBe(echo.upstream === 'v2' ? 'v2' : undefined);
      seen.add(echo.upstream);
    }
    // Each of 60 picks is v1 with probability 1/2: both are seen but for a chance of 2^-59.
    expect(seen).toEqual(new Set(['v1', 'v2']));
  });

  it('a single backend\'s RequestHeaderModifier sets, appends and removes', async () => {
    const { echo } = await send('/single/x', { 'x-set': 'old', 'x-add': 'a', 'x-remove': 'gone' });
    expect([echo.upstream, echo.headers['x-set'], echo.headers['x-add'], echo.headers['x-remove']]).toEqual(['v1', 'set', 'a,b', undefined]);
  });
});
