import { describe, expect, it } from '@jest/globals';
import { matchRoute, type RequestFacts } from '../match.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../../test/support/routing/gateway-world.ts';

const facts: RequestFacts = { method: 'GET', proto: 'http', header: () => undefined, queryParam: () => undefined };
const base = [gatewayClass(), gateway('app', 'edge', [httpListener()]), ...service('app', 'v1', 80, ['10.0.0.1']), ...service('app', 'v2', 80, ['10.0.0.2'])];
const setHeader = (name: string, value: string) => ({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name, value }] } });
const route = (rule: object) => httpRoute('app', 'r', { parentRefs: [{ name: 'edge' }], hostnames: ['b.example.com'], rules: [rule] });

describe('per-backendRef filters', () => {
  it('each weighted backend gets its own chain: the rule\'s middlewares, then its own', () => {
    const result = build([...base, route({
      filters: [setHeader('X-Rule', 'r')],
      backendRefs: [
        { name: 'v1', port: 80, weight: 1, filters: [setHeader('Backend', 'v1')] },
        { name: 'v2', port: 80, weight: 1, filters: [setHeader('Backend', 'v2'), { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'X-From', value: 'v2' }] } }] },
      ],
    })]);
    const split = matchRoute(result.table, 'b.example.com', '/', facts)?.split;
    const describe = (i: number) => {
      const r = split?.routes[i];
      return [r?.upstream.key, r?.middlewares?.filters.map((m) => (m.kind === 'RequestHeaderModifier' || m.kind === 'ResponseHeaderModifier' ? `${m.kind}:${m.set.flat().join('=')}` : m.kind))];
    };
    expect(describe(0)).toEqual(['app/v1:80', ['RequestHeaderModifier:x-rule=r', 'RequestHeaderModifier:backend=v1']]);
    expect(describe(1)).toEqual(['app/v2:80', ['RequestHeaderModifier:x-rule=r', 'RequestHeaderModifier:backend=v2', 'ResponseHeaderModifier:x-from=v2']]);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'ResolvedRefs=True']);
  });

  it('a single backend\'s filters are the route\'s chain; backends without filters share the rule\'s', () => {
    const single = build([...base, route({ backendRefs: [{ name: 'v1', port: 80, filters: [setHeader('X-Only', '1')] }] })]);
    expect(matchRoute(single.table, 'b.example.com', '/', facts)?.middlewares?.filters).toHaveLength(1);

    const mixed = build([...base, route({ filters: [setHeader('X-Rule', 'r')], backendRefs: [{ name: 'v1', port: 80 }, { name: 'v2', port: 80 }] })]);
    const routes = matchRoute(mixed.table, 'b.example.com', '/', facts)?.split?.routes;
    expect(routes?.[0]?.middlewares).toBeDefined();
    expect(routes?.[0]?.middlewares).toBe(routes?.[1]?.middlewares);
  });

  it('an unsupported filter on a backendRef leaves its rule unserved, reported', () => {
    const result = build([...base, route({ backendRefs: [{ name: 'v1', port: 80, filters: [{ type: 'ExtensionRef', extensionRef: { group: 'x', kind: 'Y', name: 'z' } }] }] })]);
    expect(matchRoute(result.table, 'b.example.com', '/', facts)).toBeUndefined();
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions.find((c) => c.type === 'Accepted')).toMatchObject({
      status: 'False', reason: 'UnsupportedValue', message: expect.stringContaining('backendRef "v1": filter ExtensionRef is not supported') as unknown as string,
    });
  });
});
