import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Json } from '../../kube/client.ts';
import { lookupTlsStream, tableForConnection } from '../match.ts';
import { tablesEqual } from '../table-equal.ts';
import type { RoutingTable, TlsStream } from '../types.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service, tlsRoute, tlsSecret } from '../../../test/support/routing/gateway-world.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
const pair = { certPem: fixture('rsa-2048-a.crt'), keyPem: fixture('rsa-2048-a.key') };

const OWN = '192.0.2.10';
const passthrough = (name: string, extra: Json = {}): Json => ({ name, port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' }, ...extra });
const backends = [...service('gw', 'a', 443, ['10.0.0.1']), ...service('gw', 'b', 443, ['10.0.0.2'])];
const route = (name: string, spec: Json, created = '2024-01-01T00:00:00Z'): Json => tlsRoute('gw', name, spec, { creationTimestamp: created });
const to = (name: string, port = 443, extra: Json = {}): Json => ({ rules: [{ backendRefs: [{ name, port, ...extra }] }] });

const streamOf = (table: RoutingTable, servername: string | undefined): TlsStream | 'refused' | undefined =>
  lookupTlsStream(tableForConnection(table, { localAddress: OWN, localPort: 443 }), servername);
const backendOf = (table: RoutingTable, servername: string): string | undefined => {
  const stream = streamOf(table, servername);
  return typeof stream === 'object' ? `${stream.mode} ${stream.route.upstream.key}` : stream;
};

describe('Gateway API TLSRoutes: listeners', () => {
  it('a TLS listener takes TLSRoutes only; an HTTPRoute naming it is NotAllowedByListeners; a kind it cannot take is InvalidRouteKinds', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'tls-only', [passthrough('tls', { allowedRoutes: { kinds: [{ kind: 'TLSRoute' }, { kind: 'TCPRoute' }] } })]), ...backends,
      httpRoute('gw', 'web', { parentRefs: [{ name: 'tls-only' }], rules: [{ backendRefs: [{ name: 'a', port: 443 }] }] }),
    ], { gatewayAddresses: [OWN] });
    const listener = result.gatewayApi?.gateways[0]?.listeners[0];
    expect(listener?.supportedKinds).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'TLSRoute' }]);
    expect(listener?.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual([
      'Accepted=True:Accepted', 'ResolvedRefs=False:InvalidRouteKinds', 'Programmed=True:Programmed', 'Conflicted=False:NoConflicts',
    ]);
    expect(listener?.attachedRoutes).toBe(0);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
  });

  it('HTTP and HTTPS listeners refuse TLSRoutes; a route to a missing section is NoMatchingParent; hostnames must meet', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'web', [httpListener()]), gateway('gw', 'tls', [passthrough('tls', { hostname: 'a.example.com' })]), ...backends,
      route('to-http', { parentRefs: [{ name: 'web' }], ...to('a') }),
      route('to-section', { parentRefs: [{ name: 'tls', sectionName: 'nope' }], ...to('a') }),
      route('to-other-host', { parentRefs: [{ name: 'tls' }], hostnames: ['b.example.com'], ...to('a') }),
    ], { gatewayAddresses: [OWN, '192.0.2.11'] });
    const reasons = result.gatewayApi?.routes.map((r) => [r.ref.name, r.parents[0]?.conditions[0]?.reason]);
    expect(reasons).toEqual([['to-http', 'NotAllowedByListeners'], ['to-other-host', 'NoMatchingListenerHostname'], ['to-section', 'NoMatchingParent']]);
    expect(result.gatewayApi?.routes.every((r) => r.kind === 'TLSRoute')).toBe(true);
  });

  it('TLS and HTTPS listeners share port 443, a name twice is HostnameConflict; Passthrough on HTTPS is UnsupportedProtocol', () => {
    const https = (name: string, hostname: string, mode = 'Terminate'): Json => ({ name, port: 443, protocol: 'HTTPS', hostname, tls: { mode, certificateRefs: [{ name: 'cert' }] } });
    const result = build([
      gatewayClass(), tlsSecret('gw', 'cert', pair),
      gateway('gw', 'mixed', [passthrough('tls', { hostname: 'a.example.com' }), https('web', 'b.example.com'), https('same', 'a.example.com'), https('pass', 'c.example.com', 'Passthrough')]),
    ], { gatewayAddresses: [OWN] });
    const listeners = result.gatewayApi?.gateways[0]?.listeners ?? [];
    const state = (name: string) => listeners.find((l) => l.name === name)?.conditions.filter((c) => c.type === 'Accepted' || c.type === 'Conflicted').map((c) => `${c.type}=${c.status}:${c.reason}`);
    expect(state('tls')).toEqual(['Accepted=True:Accepted', 'Conflicted=True:HostnameConflict']);
    expect(state('web')).toEqual(['Accepted=True:Accepted', 'Conflicted=False:NoConflicts']);
    expect(state('pass')?.[0]).toBe('Accepted=False:UnsupportedProtocol');
  });
});

describe('Gateway API TLSRoutes: streams', () => {
  it('routes by server name on the Gateway\'s address: exact, wildcard over several labels, the oldest route winning a name', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'tls', [passthrough('tls', { allowedRoutes: { namespaces: { from: 'Same' } } })]), ...backends,
      route('wild', { parentRefs: [{ name: 'tls' }], hostnames: ['*.example.com'], ...to('a') }, '2024-01-02T00:00:00Z'),
      route('exact-new', { parentRefs: [{ name: 'tls' }], hostnames: ['x.example.com'], ...to('a') }, '2024-01-03T00:00:00Z'),
      route('exact-old', { parentRefs: [{ name: 'tls' }], hostnames: ['x.example.com'], ...to('b') }, '2024-01-01T00:00:00Z'),
    ], { gatewayAddresses: [OWN] });
    expect(backendOf(result.table, 'x.example.com')).toBe('passthrough gw/b:443');
    expect(backendOf(result.table, 'deep.er.example.com')).toBe('passthrough gw/a:443');
    // Only TLS listeners on the port: a name no route takes, or no name at all, is refused.
    expect(streamOf(result.table, 'example.org')).toBe('refused');
    expect(streamOf(result.table, undefined)).toBe('refused');
    expect(result.gatewayApi?.gateways[0]?.listeners[0]?.attachedRoutes).toBe(3);
    expect(result.table.upstreams.has('gw/a:443') && result.table.upstreams.has('gw/b:443')).toBe(true);
  });

  it('an HTTPS listener more specific than a TLS one keeps its name; other names on a shared port are left to HTTPS', () => {
    const result = build([
      gatewayClass(), tlsSecret('gw', 'cert', pair), ...backends,
      gateway('gw', 'mixed', [passthrough('tls', { hostname: '*.example.com' }), { name: 'web', port: 443, protocol: 'HTTPS', hostname: 'www.example.com', tls: { certificateRefs: [{ name: 'cert' }] } }]),
      route('wild', { parentRefs: [{ name: 'mixed' }], ...to('a') }),
    ], { gatewayAddresses: [OWN] });
    expect(backendOf(result.table, 'shop.example.com')).toBe('passthrough gw/a:443');
    expect(streamOf(result.table, 'www.example.com')).toBeUndefined();
    expect(streamOf(result.table, 'example.org')).toBeUndefined();
  });

  it('Terminate needs the listener\'s certificate, which then answers its name; weighted backends split; a missing Service is BackendNotFound', () => {
    const result = build([
      gatewayClass(), tlsSecret('gw', 'cert', pair), ...backends,
      gateway('gw', 'term', [{ name: 't', port: 443, protocol: 'TLS', hostname: 't.example.com', tls: { certificateRefs: [{ name: 'cert' }] } }]),
      route('split', { parentRefs: [{ name: 'term' }], rules: [{ backendRefs: [{ name: 'a', port: 443, weight: 3 }, { name: 'b', port: 443, weight: 1 }, { name: 'gone', port: 443 }] }] }),
    ], { gatewayAddresses: [OWN] });
    const stream = streamOf(result.table, 't.example.com');
    expect(typeof stream === 'object' && stream.mode).toBe('terminate');
    const split = typeof stream === 'object' ? stream.route.split : undefined;
    expect(split?.routes.map((r) => r.upstream.key)).toEqual(['gw/a:443', 'gw/b:443', 'invalid:gw/gone']);
    expect(split?.cumulative).toEqual([3, 4, 5]);
    expect(result.table.byAddress?.get(OWN)?.tls.hosts.has('t.example.com')).toBe(true);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual(['Accepted=True:Accepted', 'ResolvedRefs=False:BackendNotFound']);
  });

  it('another namespace\'s Service needs a ReferenceGrant (RefNotPermitted); a kind other than Service is InvalidKind', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'tls', [passthrough('tls')]), ...service('other', 'far', 443, ['10.0.0.3']), ...backends,
      route('far', { parentRefs: [{ name: 'tls' }], ...to('far', 443, { namespace: 'other' }) }),
      route('odd', { parentRefs: [{ name: 'tls' }], ...to('a', 443, { kind: 'Bucket', group: 'example.com' }) }),
    ], { gatewayAddresses: [OWN] });
    expect(result.gatewayApi?.routes.map((r) => [r.ref.name, r.parents[0]?.conditions[1]?.reason])).toEqual([['far', 'RefNotPermitted'], ['odd', 'InvalidKind']]);
  });

  it('without --gateway-addresses a TLS listener on 443 routes in the shared table and never refuses (Ingress HTTPS lives there)', () => {
    const result = build([gatewayClass(), gateway('gw', 'tls', [passthrough('tls', { hostname: 'p.example.com' })]), ...backends, route('p', { parentRefs: [{ name: 'tls' }], ...to('a') })]);
    expect(lookupTlsStream(result.table, 'p.example.com')).toMatchObject({ mode: 'passthrough' });
    expect(lookupTlsStream(result.table, 'q.example.com')).toBeUndefined();
  });

  it('on the shared addresses an Ingress keeps its names, however old the TLSRoute; the route is reported', () => {
    const ingress = (name: string, host: string | undefined): Json => ({
      kind: 'Ingress', metadata: { namespace: 'app', name, creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: { ingressClassName: 'bollard', rules: [{ ...(host === undefined ? {} : { host }), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    });
    const objects = (hosts: (string | undefined)[]) => [
      gatewayClass(), { kind: 'IngressClass', metadata: { name: 'bollard' }, spec: { controller: 'bollard.io/ingress-controller' } },
      ...service('app', 'web', 80, ['10.0.0.9']), ...hosts.map((h, i) => ingress(`i${String(i)}`, h)),
      gateway('gw', 'tls', [passthrough('tls')]), ...backends,
      route('wild', { parentRefs: [{ name: 'tls' }], hostnames: ['*.example.com'], ...to('a') }, '2020-01-01T00:00:00Z'),
      route('any', { parentRefs: [{ name: 'tls' }], ...to('b') }, '2020-01-01T00:00:00Z'),
    ];
    const named = build(objects(['shop.example.com']));
    expect(lookupTlsStream(named.table, 'shop.example.com')).toBeUndefined();
    expect(lookupTlsStream(named.table, 'blog.example.com')).toMatchObject({ route: { upstream: { key: 'gw/a:443' } } });
    expect(lookupTlsStream(named.table, 'example.org')).toMatchObject({ route: { upstream: { key: 'gw/b:443' } } });
    expect(named.gatewayApi?.conflicts).toEqual(['TLSRoute gw/wild: shop.example.com is served by an Ingress on the shared addresses; the Ingress keeps it']);
    // An Ingress rule without a host serves every name: no TLSRoute takes the names nothing else claims.
    const hostless = build(objects([undefined]));
    expect(lookupTlsStream(hostless.table, 'example.org')).toBeUndefined();
    expect(hostless.gatewayApi?.conflicts).toContain('TLSRoute gw/any: every name is served by an Ingress on the shared addresses; the Ingress keeps it');
  });

  it('a changed TLSRoute makes a different table; the same objects built again make an equal one', () => {
    const objects = (backend: string) => [gatewayClass(), gateway('gw', 'tls', [passthrough('tls')]), ...backends, route('p', { parentRefs: [{ name: 'tls' }], ...to(backend) })];
    const first = build(objects('a'), { gatewayAddresses: [OWN] }).table;
    expect(tablesEqual(first, build(objects('a'), { gatewayAddresses: [OWN] }).table)).toBe(true);
    expect(tablesEqual(first, build(objects('b'), { gatewayAddresses: [OWN] }).table)).toBe(false);
  });
});
