import { describe, expect, it } from '@jest/globals';
import { matchRoute, type RequestFacts } from '../match.ts';
import type { RoutingTable } from '../types.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../../test/support/routing/gateway-world.ts';

const facts: RequestFacts = { method: 'GET', proto: 'http', header: () => undefined, queryParam: () => undefined };
const base = [gatewayClass(), gateway('app', 'edge', [httpListener()]), ...service('app', 'web', 80, ['10.0.0.1'])];
const corsRoute = (cors: object) => httpRoute('app', 'cors', {
  parentRefs: [{ name: 'edge' }], hostnames: ['cors.example.com'],
  rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'CORS', cors }], backendRefs: [{ name: 'web', port: 80 }] }],
});
const filtersAt = (table: RoutingTable, path: string) => matchRoute(table, 'cors.example.com', path, facts)?.middlewares?.filters;

describe('the HTTPRoute CORS filter', () => {
  it('compiles onto the CORS middleware with Gateway API rules: lists joined, origins normalised, defaults applied', () => {
    const result = build([...base, corsRoute({
      allowOrigins: ['https://www.Foo.com:443', 'https://*.bar.com', 'http://x.test:8080'], allowMethods: ['GET', 'OPTIONS'],
      allowHeaders: ['x-header-1', 'x-header-2'], exposeHeaders: ['x-header-3'], allowCredentials: true, maxAge: 3600,
    })]);
    expect(filtersAt(result.table, '/api/x')).toEqual([{
      kind: 'CORS', allowOrigins: ['https://www.foo.com', 'https://*.bar.com', 'http://x.test:8080'], allowMethods: 'GET, OPTIONS',
      allowHeaders: 'x-header-1, x-header-2', exposeHeaders: 'x-header-3', allowCredentials: true, maxAgeSeconds: 3600, gatewayApi: true,
    }]);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'ResolvedRefs=True']);

    const defaults = build([...base, corsRoute({ allowOrigins: ['*'] })]);
    expect(filtersAt(defaults.table, '/api')?.[0]).toMatchObject({ allowMethods: '', allowHeaders: '', allowCredentials: false, maxAgeSeconds: 5 });
  });

  it('does not serve a rule whose CORS values the CRD would refuse, and says why', () => {
    for (const cors of [
      { allowOrigins: ['ftp://a.test'] }, { allowOrigins: ['*', 'https://a.test'] }, { allowOrigins: ['https://a.*.test'] },
      { allowMethods: ['FETCH'] }, { allowHeaders: ['bad header'] }, { exposeHeaders: ['x\r\ny'] }, { maxAge: 0 },
    ]) {
      const result = build([...base, corsRoute(cors)]);
      expect(filtersAt(result.table, '/api')).toBeUndefined();
      const accepted = result.gatewayApi?.routes[0]?.parents[0]?.conditions.find((c) => c.type === 'Accepted');
      expect(accepted).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
      expect(accepted?.message).toMatch(/CORS/);
    }
  });
});
