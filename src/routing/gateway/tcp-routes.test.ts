import { describe, expect, it } from '@jest/globals';
import type { Json } from '../../kube/client.ts';
import { tableForConnection } from '../match.ts';
import { tablesEqual } from '../table-equal.ts';
import type { RoutingTable } from '../types.ts';
import { build, gateway, gatewayClass, httpListener, service, tcpRoute } from '../../../test/support/routing/gateway-world.ts';

const OWN = '192.0.2.20';
const tcp = (name: string, port: number, extra: Json = {}): Json => ({ name, port, protocol: 'TCP', ...extra });
const backends = [...service('gw', 'a', 3000, ['10.0.0.1']), ...service('gw', 'b', 3000, ['10.0.0.2'])];
const route = (name: string, spec: Json, created = '2024-01-01T00:00:00Z'): Json => tcpRoute('gw', name, spec, { creationTimestamp: created });
const to = (name: string, extra: Json = {}): Json => ({ rules: [{ backendRefs: [{ name, port: 3000, ...extra }] }] });
const routeAt = (table: RoutingTable, port: number) => tableForConnection(table, { localAddress: OWN, localPort: port }).tcpRoute;

describe('Gateway API TCPRoutes', () => {
  it('a TCP listener opens its port on the Gateway\'s address; the oldest route attached takes every connection, both are accepted and counted', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'tcp', [tcp('tcp', 3000)]), ...backends,
      route('newer', { parentRefs: [{ name: 'tcp', sectionName: 'tcp' }], ...to('b') }, '2024-01-02T00:00:00Z'),
      route('older', { parentRefs: [{ name: 'tcp', sectionName: 'tcp' }], ...to('a') }),
    ], { gatewayAddresses: [OWN] });
    expect(result.table.portListeners).toEqual([{ address: OWN, port: 3000, proto: 'tcp' }]);
    expect(routeAt(result.table, 3000)?.upstream.key).toBe('gw/a:3000');
    expect(result.table.upstreams.has('gw/a:3000')).toBe(true);
    expect(result.gatewayApi?.gateways[0]?.listeners[0]).toMatchObject({ attachedRoutes: 2, supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'TCPRoute' }] });
    expect(result.gatewayApi?.routes.map((r) => r.parents[0]?.conditions[0]?.reason)).toEqual(['Accepted', 'Accepted']);
  });

  it('each TCP listener has its port; a route attaches to all of them, or by port or sectionName', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'tcp', [tcp('one', 9300), tcp('two', 9301)]), ...backends,
      route('all', { parentRefs: [{ name: 'tcp' }], ...to('a') }),
      route('by-port', { parentRefs: [{ name: 'tcp', port: 9301 }], ...to('b') }, '2023-12-01T00:00:00Z'),
    ], { gatewayAddresses: [OWN] });
    expect(routeAt(result.table, 9300)?.upstream.key).toBe('gw/a:3000');
    expect(routeAt(result.table, 9301)?.upstream.key).toBe('gw/b:3000');
  });

  it('without --gateway-addresses, or on Bollard\'s ports, a TCP listener is PortUnavailable; HTTP listeners refuse TCPRoutes', () => {
    const shared = build([gatewayClass(), gateway('gw', 'tcp', [tcp('tcp', 3000)])]);
    expect(shared.gatewayApi?.gateways[0]?.listeners[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'PortUnavailable' });
    const own = build([
      gatewayClass(), gateway('gw', 'tcp', [tcp('tcp', 443)]), gateway('gw', 'web', [httpListener()]), ...backends,
      route('to-http', { parentRefs: [{ name: 'web' }], ...to('a') }),
    ], { gatewayAddresses: [OWN, '192.0.2.21'] });
    expect(own.gatewayApi?.gateways.find((g) => g.ref.name === 'tcp')?.listeners[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'PortUnavailable' });
    expect(own.gatewayApi?.routes[0]?.parents[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
  });

  it('a missing backend is BackendNotFound, its share has no endpoints; a changed route changes the table', () => {
    const objects = (backend: string) => [gatewayClass(), gateway('gw', 'tcp', [tcp('tcp', 3000)]), ...backends, route('r', { parentRefs: [{ name: 'tcp' }], ...to(backend) })];
    const missing = build(objects('gone'), { gatewayAddresses: [OWN] });
    expect(missing.gatewayApi?.routes[0]?.parents[0]?.conditions[1]).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    expect(routeAt(missing.table, 3000)?.upstream.endpoints).toEqual([]);
    const a = build(objects('a'), { gatewayAddresses: [OWN] }).table;
    expect(tablesEqual(a, build(objects('a'), { gatewayAddresses: [OWN] }).table)).toBe(true);
    expect(tablesEqual(a, build(objects('b'), { gatewayAddresses: [OWN] }).table)).toBe(false);
  });
});
