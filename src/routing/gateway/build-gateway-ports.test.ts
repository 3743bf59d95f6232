import { describe, expect, it } from '@jest/globals';
import { matchRoute, tableForConnection, type RequestFacts } from '../match.ts';
import type { RoutingTable } from '../types.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service } from '../../../test/support/routing/gateway-world.ts';

const facts: RequestFacts = { method: 'GET', proto: 'http', header: () => undefined, queryParam: () => undefined };
const backendOn = (table: RoutingTable, localAddress: string, localPort: number, host: string): string | undefined =>
  matchRoute(tableForConnection(table, { localAddress, localPort }), host, '/', facts)?.upstream.key;
const conditionsOf = (conditions: readonly { type: string; status: string; reason: string }[] | undefined) =>
  conditions?.map((c) => `${c.type}=${c.status}:${c.reason}`);

// The conformance suite's HTTPRouteListenerPortMatching: listeners on 80, 8080 and 8090, routes picking them by parentRef port.
const portMatching = [
  gatewayClass(),
  gateway('gw', 'ports', [
    httpListener({ name: 'l1', port: 80, hostname: 'foo.com' }),
    httpListener({ name: 'l2', port: 8080, hostname: 'foo.com' }), httpListener({ name: 'l3', port: 8080, hostname: 'bar.com' }),
    httpListener({ name: 'l4', port: 8090, hostname: 'foo.com' }), httpListener({ name: 'l5', port: 8090, hostname: 'bar.com' }),
  ]),
  ...service('gw', 'v1', 80, ['10.0.0.1']), ...service('gw', 'v2', 80, ['10.0.0.2']), ...service('gw', 'v3', 80, ['10.0.0.3']),
  httpRoute('gw', 'r1', { parentRefs: [{ name: 'ports', port: 80 }], rules: [{ backendRefs: [{ name: 'v1', port: 80 }] }] }),
  httpRoute('gw', 'r2', { parentRefs: [{ name: 'ports', port: 8080 }], rules: [{ backendRefs: [{ name: 'v2', port: 80 }] }] }),
  httpRoute('gw', 'r3', { parentRefs: [{ name: 'ports', port: 8090, sectionName: 'l4' }], rules: [{ backendRefs: [{ name: 'v3', port: 80 }] }] }),
];

describe('Gateway listeners on ports of their own', () => {
  it('opens each other port on the Gateway\'s address and serves each port\'s routes there only', () => {
    const { table, gatewayApi } = build(portMatching, { gatewayAddresses: ['192.0.2.7'], reservedPorts: [30080, 30443, 30900] });
    expect(table.portListeners).toEqual([{ address: '192.0.2.7', port: 8080, proto: 'http' }, { address: '192.0.2.7', port: 8090, proto: 'http' }]);
    // Port 80 is Bollard's HTTP listener, whatever port it really binds: any other local port falls back to the address's table.
    expect(backendOn(table, '192.0.2.7', 30080, 'foo.com')).toBe('gw/v1:80');
    expect(backendOn(table, '192.0.2.7', 8080, 'foo.com')).toBe('gw/v2:80');
    expect(backendOn(table, '192.0.2.7', 8080, 'bar.com')).toBe('gw/v2:80');
    expect(backendOn(table, '192.0.2.7', 8090, 'foo.com')).toBe('gw/v3:80');
    expect(backendOn(table, '192.0.2.7', 8090, 'bar.com')).toBeUndefined();
    expect(backendOn(table, '192.0.2.8', 8080, 'foo.com')).toBeUndefined();
    const listeners = gatewayApi?.gateways[0]?.listeners ?? [];
    expect(listeners.map((l) => [l.name, l.attachedRoutes, l.conditions.find((c) => c.type === 'Accepted')?.status])).toEqual([
      ['l1', 1, 'True'], ['l2', 1, 'True'], ['l3', 1, 'True'], ['l4', 1, 'True'], ['l5', 0, 'True'],
    ]);
  });

  it('a redirect without scheme and port keeps the listener\'s own port; with a scheme, the scheme\'s', () => {
    const redirect = (path: string, requestRedirect: object) => ({ matches: [{ path: { type: 'PathPrefix', value: path } }], filters: [{ type: 'RequestRedirect', requestRedirect }] });
    const { table } = build([
      gatewayClass(), gateway('gw', 'g', [httpListener({ name: 'alt', port: 8080 })]),
      httpRoute('gw', 'r', { parentRefs: [{ name: 'g' }], rules: [redirect('/keep', { hostname: 'example.org' }), redirect('/https', { scheme: 'https' })] }),
    ], { gatewayAddresses: ['192.0.2.7'] });
    const locationOf = (path: string) => {
      const filter = matchRoute(tableForConnection(table, { localAddress: '192.0.2.7', localPort: 8080 }), 'any.test', path, facts)?.middlewares?.filters[0];
      return filter?.kind === 'RequestRedirect' ? filter.location.filter((p) => typeof p === 'string').join('') : undefined;
    };
    expect(locationOf('/keep')).toBe('://example.org:8080');
    expect(locationOf('/https')).toBe('https://');
  });

  it('refuses other ports without --gateway-addresses, and Bollard\'s own ports with them', () => {
    const shared = build(portMatching);
    expect(shared.table.portListeners).toBeUndefined();
    expect(shared.gatewayApi?.gateways[0]?.listeners.map((l) => l.conditions[0]?.reason)).toEqual(['Accepted', 'PortUnavailable', 'PortUnavailable', 'PortUnavailable', 'PortUnavailable']);
    const reserved = build([gatewayClass(), gateway('gw', 'g', [httpListener({ name: 'admin', port: 9000 }), httpListener({ name: 'https', port: 443 })])], {
      gatewayAddresses: ['192.0.2.7'], reservedPorts: [9000],
    });
    expect(reserved.gatewayApi?.gateways[0]?.listeners.map((l) => l.conditions[0]?.reason)).toEqual(['PortUnavailable', 'PortUnavailable']);
    expect(reserved.table.portListeners).toBeUndefined();
  });
});

describe('Gateway spec.addresses', () => {
  const asking = (addresses: readonly object[]) => [gatewayClass(), { ...gateway('gw', 'static', [httpListener({ port: 8080 })]), spec: { gatewayClassName: 'bollard', addresses, listeners: [httpListener({ port: 8080 })] } }];

  it('is not accepted with an unsupported type, not programmed with an address it cannot use, and takes a usable one', () => {
    const pool = { gatewayAddresses: ['192.0.2.1', '192.0.2.2'] };
    const gatewayOf = (addresses: readonly object[]) => build(asking(addresses), pool).gatewayApi?.gateways[0];
    const invalid = gatewayOf([{ type: 'test/fake-invalid-type', value: 'x' }, { value: '198.51.100.1' }, { value: '192.0.2.2' }]);
    expect(conditionsOf(invalid?.conditions)?.[0]).toBe('Accepted=False:UnsupportedAddress');
    const unusable = gatewayOf([{ value: '198.51.100.1' }, { value: '192.0.2.2' }]);
    expect(conditionsOf(unusable?.conditions)?.slice(0, 2)).toEqual(['Accepted=True:Accepted', 'Programmed=False:AddressNotUsable']);
    expect(unusable?.addresses).toEqual([]);
    const usable = build(asking([{ type: 'IPAddress', value: '192.0.2.2' }]), pool);
    expect(conditionsOf(usable.gatewayApi?.gateways[0]?.conditions)?.slice(0, 2)).toEqual(['Accepted=True:Accepted', 'Programmed=True:Programmed']);
    expect(usable.gatewayApi?.gateways[0]?.addresses).toEqual(['192.0.2.2']);
    expect(usable.table.portListeners).toEqual([{ address: '192.0.2.2', port: 8080, proto: 'http' }]);
  });

  it('an IPAddress without a value gets one from the pool', () => {
    const result = build(asking([{ type: 'IPAddress' }]), { gatewayAddresses: ['192.0.2.1'] });
    expect(result.gatewayApi?.gateways[0]?.addresses).toEqual(['192.0.2.1']);
  });
});
