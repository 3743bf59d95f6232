import { describe, expect, it } from '@jest/globals';
import { matchRoute } from '../match.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../../test/support/routing/gateway-world.ts';

const withInfrastructure = (name: string, infrastructure: object) => {
  const g = gateway('gw', name, [httpListener()]);
  return { ...g, spec: { ...(g.spec as object), infrastructure } };
};
const route = (parent: string) => httpRoute('gw', `to-${parent}`, { parentRefs: [{ name: parent }], hostnames: [`${parent}.example.com`], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] });
const facts = { method: 'GET', proto: 'http' as const, header: () => undefined, queryParam: () => undefined };

describe('Gateway spec.infrastructure', () => {
  it('refuses a Gateway naming a parametersRef (InvalidParameters) and serves none of its listeners', () => {
    const refused = withInfrastructure('refused', { parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' } });
    const result = build([gatewayClass(), refused, ...service('gw', 'web', 80, ['10.0.0.1']), route('refused')]);
    const gw = result.gatewayApi?.gateways[0];
    expect(gw?.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual(['Accepted=False:InvalidParameters', 'Programmed=False:Invalid', 'ResolvedRefs=True:ResolvedRefs']);
    expect(gw?.conditions[0]?.message).toBe('spec.infrastructure.parametersRef names invalid.io/InvalidParameters "invalid", but Bollard takes no parameters object: remove parametersRef');
    expect(gw?.listeners[0]?.conditions.filter((c) => c.type !== 'ResolvedRefs' && c.type !== 'Conflicted').map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual(['Accepted=False:Invalid', 'Programmed=False:Invalid']);
    expect(gw?.listeners[0]?.attachedRoutes).toBe(0);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect(matchRoute(result.table, 'refused.example.com', '/', facts)).toBeUndefined();
  });

  it('accepts and serves a Gateway with infrastructure labels and annotations only', () => {
    const labelled = withInfrastructure('labelled', { labels: { key2: 'value2' }, annotations: { key1: 'value1' } });
    const result = build([gatewayClass(), labelled, ...service('gw', 'web', 80, ['10.0.0.1']), route('labelled')]);
    expect(result.gatewayApi?.gateways[0]?.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True' });
    expect(matchRoute(result.table, 'labelled.example.com', '/', facts)?.upstream.key).toBe('gw/web:80');
  });
});
