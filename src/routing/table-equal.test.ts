import { describe, expect, it } from '@jest/globals';
import { tablesEqual } from './table-equal.ts';
import type { HostRoutes, Route, RouteOptions, RoutingTable, TlsCertificate, TlsTable, Upstream } from './types.ts';

const OPTIONS: RouteOptions = { sslRedirect: false, loadBalancing: 'round-robin', backendProtocol: 'HTTP', readTimeoutMs: 60_000, maxBodyBytes: undefined, tunnelIdleTimeoutMs: 3_600_000, connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined };

const upstream = (key: string, ...ports: number[]): Upstream => ({
  key, service: { namespace: 'ns', name: key }, endpoints: ports.map((port) => ({ host: '10.0.0.1', port })),
});
const route = (path: string, u: Upstream, name = 'ing', options: Partial<RouteOptions> = {}): Route => ({
  ingress: { namespace: 'ns', name }, pathType: 'Prefix', path, upstream: u, options: { ...OPTIONS, ...options },
});
const hostRoutes = (...routes: Route[]): HostRoutes => ({ exact: new Map(), prefix: new Map(routes.map((r) => [r.path, r])) });
const certificate = (name = 'cert', certPem = 'CERT', keyPem = 'KEY'): TlsCertificate => ({ secret: { namespace: 'ns', name }, certPem, keyPem });
const tlsTable = (hosts: [string, TlsCertificate][] = [['a.test', certificate()]], wildcards: [string, TlsCertificate][] = [['test', certificate()]]): TlsTable => ({
  hosts: new Map(hosts), wildcards: new Map(wildcards),
});
const table = (u: Upstream, routes: HostRoutes, defaultBackend?: Route, tls: TlsTable = tlsTable()): RoutingTable => ({
  hosts: new Map([['a.test', routes]]), wildcards: new Map(), anyHost: undefined, defaultBackend, upstreams: new Map([[u.key, u]]), tls,
});
const web = (): Upstream => upstream('web', 80);
const withRoute = (options: Partial<RouteOptions>): RoutingTable => table(web(), hostRoutes(route('/', web(), 'ing', options)));
const withTls = (tls: TlsTable): RoutingTable => table(web(), hostRoutes(route('/', web())), undefined, tls);

describe('tablesEqual', () => {
  it('is true for separately built tables with the same content', () => {
    const u1 = upstream('web', 80);
    const u2 = upstream('web', 80);
    expect(tablesEqual(table(u1, hostRoutes(route('/', u1))), table(u2, hostRoutes(route('/', u2))))).toBe(true);
  });

  it.each([
    ['an endpoint port', table(upstream('web', 81), hostRoutes(route('/', upstream('web', 81))))],
    ['an extra endpoint', table(upstream('web', 80, 81), hostRoutes(route('/', upstream('web', 80, 81))))],
    ['an upstream appProtocol', table({ ...web(), appProtocol: 'kubernetes.io/h2c' }, hostRoutes(route('/', web())))],
    ['a path', table(web(), hostRoutes(route('/x', web())))],
    ['the owning Ingress', table(web(), hostRoutes(route('/', web(), 'other')))],
    ['a default backend', table(web(), hostRoutes(route('/', web())), route('/', web()))],
    ['sslRedirect', withRoute({ sslRedirect: true })],
    ['loadBalancing', withRoute({ loadBalancing: 'ewma' })],
    ['backendProtocol', withRoute({ backendProtocol: 'GRPC' })],
    ['readTimeoutMs', withRoute({ readTimeoutMs: 5_000 })],
    ['maxBodyBytes', withRoute({ maxBodyBytes: 1024 })],
    ['tunnelIdleTimeoutMs', withRoute({ tunnelIdleTimeoutMs: 1_000 })],
    ['a TLS host', withTls(tlsTable([['b.test', certificate()]]))],
    ['an extra TLS host', withTls(tlsTable([['a.test', certificate()], ['b.test', certificate()]]))],
    ['a TLS wildcard', withTls(tlsTable(undefined, [['other.test', certificate()]]))],
    ['a certificate Secret', withTls(tlsTable([['a.test', certificate('other')]]))],
    ['a certificate PEM', withTls(tlsTable([['a.test', certificate('cert', 'CERT2')]]))],
    ['a key PEM', withTls(tlsTable([['a.test', certificate('cert', 'CERT', 'KEY2')]]))],
    ['a wildcard certificate PEM', withTls(tlsTable(undefined, [['test', certificate('cert', 'CERT2')]]))],
    ['a catch-all certificate', withTls({ ...tlsTable(), anyHost: certificate() })],
    ['the Gateway listener of a certificate', withTls(tlsTable([['a.test', { ...certificate(), gatewayListener: 'gw/edge/https' }]]))],
    ['client-certificate validation', withTls(tlsTable([['a.test', { ...certificate(), clientValidation: { caPem: 'CA', mode: 'AllowValidOnly' } }]]))],
    ['deep wildcards', { ...table(web(), hostRoutes(route('/', web()))), deepWildcards: new Set(['test']) }],
    ['a Gateway\'s own address', { ...table(web(), hostRoutes(route('/', web()))), byAddress: new Map([['192.0.2.1', table(web(), hostRoutes(route('/', web())))]]) }],
  ])('notices a change of %s', (_what, changed) => {
    const u = web();
    expect(tablesEqual(table(u, hostRoutes(route('/', u))), changed)).toBe(false);
  });

  it('compares the tables of Gateways\' own addresses by content', () => {
    const own = (path: string): RoutingTable => ({ ...table(web(), hostRoutes(route('/', web()))), byAddress: new Map([['192.0.2.1', table(web(), hostRoutes(route(path, web())))]]) });
    expect(tablesEqual(own('/'), own('/'))).toBe(true);
    expect(tablesEqual(own('/'), own('/x'))).toBe(false);
  });

  it('compares a certificate shared by many hosts by content, not identity', () => {
    const shared = (): TlsCertificate => certificate('wild', 'CERT', 'KEY');
    const tls = (c: TlsCertificate): TlsTable => tlsTable([['a.test', c], ['b.test', c]], [['test', c]]);
    expect(tablesEqual(withTls(tls(shared())), withTls(tls(shared())))).toBe(true);
    const first = shared();
    const changed = tlsTable([['a.test', shared()], ['b.test', certificate('wild', 'OTHER')]], [['test', shared()]]);
    expect(tablesEqual(withTls(tls(first)), withTls(changed))).toBe(false);
  });
});
