import { describe, expect, it } from '@jest/globals';
import { matchRoute } from '../match.ts';
import type { RequestFacts } from '../match.ts';
import type { Middleware } from '../middleware.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../../test/support/routing/gateway-world.ts';

const facts: RequestFacts = { method: 'GET', proto: 'http', header: () => undefined, queryParam: () => undefined };
const base = [
  gatewayClass(), gateway('gw', 'edge', [httpListener({ allowedRoutes: { namespaces: { from: 'All' } } })]),
  ...service('app', 'web', 80, ['10.0.0.1']), ...service('app', 'shadow', 8080, ['10.0.0.2']), ...service('data', 'audit', 9000, ['10.0.0.3']),
];
const parentRefs = [{ name: 'edge', namespace: 'gw' }];
const mirror = (backendRef: object, extra: object = {}) => ({ type: 'RequestMirror', requestMirror: { backendRef, ...extra } });
const grant = {
  kind: 'ReferenceGrant', metadata: { namespace: 'data', name: 'g' },
  spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'app' }], to: [{ group: '', kind: 'Service' }] },
};
const route = (filters: object[], hostname = 'm.example.com') => httpRoute('app', 'm', {
  parentRefs, hostnames: [hostname], rules: [{ filters, backendRefs: [{ name: 'web', port: 80 }] }],
});
const filtersAt = (result: ReturnType<typeof build>, host = 'm.example.com'): readonly Middleware[] | undefined =>
  matchRoute(result.table, host, '/', facts)?.middlewares?.filters;
const parentConditions = (result: ReturnType<typeof build>) =>
  result.gatewayApi?.routes[0]?.parents[0]?.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('RequestMirror filters', () => {
  it('compile after the request changes, with the share each samples; the mirror\'s upstream joins the table\'s', () => {
    const result = build([...base, route([
      mirror({ name: 'shadow', port: 8080 }, { percent: 20 }),
      { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-A', value: '1' }] } },
      mirror({ name: 'shadow', port: 8080 }, { fraction: { numerator: 25, denominator: 50 } }),
      mirror({ name: 'shadow', port: 8080 }),
    ])]);
    expect(filtersAt(result)?.map((m) => m.kind === 'RequestMirror' ? `${m.kind} ${m.upstreamKey} ${m.backendProtocol} ${m.ratio}` : m.kind)).toEqual([
      'RequestHeaderModifier', 'RequestMirror app/shadow:8080 HTTP 0.2', 'RequestMirror app/shadow:8080 HTTP 0.5', 'RequestMirror app/shadow:8080 HTTP 1',
    ]);
    expect(result.table.upstreams.get('app/shadow:8080')?.endpoints).toEqual([{ host: '10.0.0.2', port: 8080 }]);
    expect(parentConditions(result)).toEqual(['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
  });

  it('a mirror across namespaces needs a ReferenceGrant; without one it is dropped, reported, and the rule still serves', () => {
    const filters = [mirror({ name: 'audit', namespace: 'data', port: 9000 })];
    const denied = build([...base, route(filters)]);
    expect(filtersAt(denied)).toBeUndefined();
    expect(matchRoute(denied.table, 'm.example.com', '/', facts)?.upstream.key).toBe('app/web:80');
    expect(denied.table.upstreams.has('data/audit:9000')).toBe(false);
    expect(parentConditions(denied)).toEqual(['Accepted=True/Accepted', 'ResolvedRefs=False/RefNotPermitted']);
    const allowed = build([...base, grant, route(filters)]);
    expect(filtersAt(allowed)).toMatchObject([{ kind: 'RequestMirror', upstreamKey: 'data/audit:9000', ratio: 1 }]);
    expect(allowed.table.upstreams.has('data/audit:9000')).toBe(true);
  });

  it('a mirror to a missing Service or without a port is dropped and reported', () => {
    const missing = build([...base, route([mirror({ name: 'nowhere', port: 80 })])]);
    expect(filtersAt(missing)).toBeUndefined();
    expect(parentConditions(missing)?.[1]).toBe('ResolvedRefs=False/BackendNotFound');
    const portless = build([...base, route([mirror({ name: 'shadow' })])]);
    expect(parentConditions(portless)?.[1]).toBe('ResolvedRefs=False/UnsupportedValue');
  });

  it('an unusable share leaves the rule out (percent and fraction both, out of range, numerator over denominator); here the only one', () => {
    for (const extra of [{ percent: 10, fraction: { numerator: 1 } }, { percent: 101 }, { fraction: { numerator: 3, denominator: 2 } }, { fraction: { numerator: 1, denominator: 0 } }]) {
      const result = build([...base, route([mirror({ name: 'shadow', port: 8080 }, extra)])]);
      expect(matchRoute(result.table, 'm.example.com', '/', facts)).toBeUndefined();
      expect(parentConditions(result)?.[0]).toBe('Accepted=False/UnsupportedValue');
    }
  });

  it('a GRPCRoute mirror speaks gRPC (h2c) unless the Service port says otherwise', () => {
    const result = build([...base, {
      kind: 'GRPCRoute', metadata: { namespace: 'app', name: 'g' },
      spec: { parentRefs, hostnames: ['g.example.com'], rules: [{ filters: [mirror({ name: 'shadow', port: 8080 })], backendRefs: [{ name: 'web', port: 80 }] }] },
    }]);
    expect(matchRoute(result.table, 'g.example.com', '/any.Service/Method', { ...facts, method: 'POST' })?.middlewares?.filters)
      .toMatchObject([{ kind: 'RequestMirror', backendProtocol: 'GRPC' }]);
  });
});
