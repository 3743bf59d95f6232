// Gateway API routes over real sockets: Gateways and HTTPRoutes built into a table by the real
// builder, a real data plane, real upstreams — header, query and method matches, filters, weights.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../support/routing/gateway-world.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let api: TestUpstream;
let base = '';

interface Echo { upstream: string; method: string; url: string; headers: Record<string, string> }

async function send(host: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const res = await request(`${base}${path}`, { method: (init.method ?? 'GET') as 'GET', headers: { host, ...init.headers } });
  const text = await res.body.text();
  const echo = res.headers['content-type'] === 'application/json' ? (JSON.parse(text) as Echo) : undefined;
  return { status: res.statusCode, headers: res.headers, echo };
}

const parent = { parentRefs: [{ name: 'edge', namespace: 'gw' }] };
const to = (name: string, weight?: number) => ({ name, port: 80, ...(weight === undefined ? {} : { weight }) });

beforeAll(async () => {
  [web, api] = await Promise.all([startUpstream('web'), startUpstream('api')]);
  plane = await startPlane();
  const built = build([
    gatewayClass(), gateway('gw', 'edge', [httpListener({ allowedRoutes: { namespaces: { from: 'All' } } })]),
    ...service('app', 'web', 80, ['127.0.0.1'], web.endpoint.port), ...service('app', 'api', 80, ['127.0.0.1'], api.endpoint.port),
    httpRoute('app', 'matches', { ...parent, hostnames: ['match.test'], rules: [
      { backendRefs: [to('web')] },
      { matches: [{ headers: [{ name: 'X-Canary', value: 'yes' }] }], backendRefs: [to('api')] },
      { matches: [{ path: { type: 'PathPrefix', value: '/q' }, queryParams: [{ name: 'v', type: 'RegularExpression', value: '^2' }] }], backendRefs: [to('api')] },
      { matches: [{ path: { type: 'Exact', value: '/m' }, method: 'DELETE' }], backendRefs: [to('api')] },
    ] }),
    httpRoute('app', 'filters', { ...parent, hostnames: ['filters.test'], rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/h' } }], backendRefs: [to('web')], filters: [
        { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Set', value: 's' }], add: [{ name: 'X-Add', value: 'b' }], remove: ['X-Drop'] } },
        { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'X-Resp', value: 'r' }], add: [{ name: 'X-Upstream', value: 'seen' }, { name: 'X-New', value: 'n' }] } },
      ] },
      { matches: [{ path: { type: 'PathPrefix', value: '/old' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'new.test', statusCode: 301 } }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/moved' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/here' } } }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/app' } }], backendRefs: [to('web')], filters: [
        { type: 'URLRewrite', urlRewrite: { hostname: 'internal.test', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } },
      ] },
    ] }),
    httpRoute('app', 'weights', { ...parent, hostnames: ['weights.test'], rules: [
      { backendRefs: [to('web', 1), to('api', 0)] },
      { matches: [{ path: { type: 'PathPrefix', value: '/broken' } }], backendRefs: [{ name: 'db', namespace: 'data', port: 80 }] },
    ] }),
  ]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await Promise.all([web.close(), api.close()]);
});

describe('HTTPRoute matches', () => {
  it('a header match takes precedence over the same path without one', async () => {
    expect((await send('match.test', '/any')).echo?.upstream).toBe('web');
    expect((await send('match.test', '/any', { headers: { 'x-canary': 'yes' } })).echo?.upstream).toBe('api');
    expect((await send('match.test', '/any', { headers: { 'x-canary': 'no' } })).echo?.upstream).toBe('web');
  });

  it('a query-parameter match (regular expression), falling back to a shorter path when it fails', async () => {
    expect((await send('match.test', '/q?v=21')).echo?.upstream).toBe('api');
    expect((await send('match.test', '/q/x?a=1&v=2')).echo?.upstream).toBe('api');
    expect((await send('match.test', '/q?v=3')).echo?.upstream).toBe('web');
  });

  it('a method match on an Exact path', async () => {
    expect((await send('match.test', '/m', { method: 'DELETE' })).echo?.upstream).toBe('api');
    expect((await send('match.test', '/m')).echo?.upstream).toBe('web');
  });

  it('a host no route names is not served', async () => {
    expect((await send('unknown.test', '/')).status).toBe(404);
  });
});

describe('HTTPRoute filters', () => {
  it('RequestHeaderModifier sets, appends and removes; ResponseHeaderModifier sets and appends to the upstream\'s value', async () => {
    const res = await send('filters.test', '/h', { headers: { 'x-add': 'a', 'x-drop': 'gone', 'x-set': 'old' } });
    expect(res.echo?.headers['x-set']).toBe('s');
    expect(res.echo?.headers['x-add']).toBe('a,b');
    expect(res.echo?.headers['x-drop']).toBeUndefined();
    expect(res.headers['x-resp']).toBe('r');
    expect(res.headers['x-upstream']).toBe('web,seen');
    expect(res.headers['x-new']).toBe('n');
    expect((await send('filters.test', '/h')).echo?.headers['x-add']).toBe('b');
  });

  it('RequestRedirect answers with the scheme and hostname replaced, path and query kept', async () => {
    const res = await send('filters.test', '/old/page?x=1');
    expect([res.status, res.headers.location]).toEqual([301, 'https://new.test/old/page?x=1']);
  });

  it('RequestRedirect with ReplacePrefixMatch replaces the matched prefix at a path-element boundary', async () => {
    const location = async (path: string) => (await send('filters.test', path)).headers.location;
    expect(await location('/moved/a/b?q=1')).toBe('http://filters.test/here/a/b?q=1');
    expect(await location('/moved')).toBe('http://filters.test/here');
    expect(await location('/moved/')).toBe('http://filters.test/here/');
  });

  it('URLRewrite replaces the matched prefix and the Host', async () => {
    const res = await send('filters.test', '/app/items?id=7');
    expect(res.echo?.url).toBe('/v2/items?id=7');
    expect(res.echo?.headers.host).toBe('internal.test');
    expect((await send('filters.test', '/app')).echo?.url).toBe('/v2');
  });
});

describe('backendRefs', () => {
  it('weight 0 gets nothing; an unpermitted cross-namespace backend answers 500', async () => {
    const upstreams = await Promise.all(Array.from({ length: 10 }, () => send('weights.test', '/')));
    expect(new Set(upstreams.map((r) => r.echo?.upstream))).toEqual(new Set(['web']));
    expect((await send('weights.test', '/broken')).status).toBe(500);
  });
});
