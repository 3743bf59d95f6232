import { describe, it, expect } from '@jest/globals';
import type { HostRoutes, MatchType, Route, RoutingTable, TlsCertificate, TlsTable } from './types.ts';
import { lookupCertificate, lookupHostRoutes, lookupPath, matchRoute, normalizeHost } from './match.ts';

describe('normalizeHost', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Shop.Example.COM', 'shop.example.com'],
    ['shop.example.com:8443', 'shop.example.com'],
    ['shop.example.com.', 'shop.example.com'],
    ['SHOP.example.com.:80', 'shop.example.com'],
    ['shop.example.com:', 'shop.example.com'],
    ['localhost', 'localhost'],
    ['10.0.0.1:80', '10.0.0.1'],
    ['[::1]', '[::1]'],
    ['[::1]:8080', '[::1]'],
    ['[FE80::A:1]:443', '[fe80::a:1]'],
  ])('%s → %s', (header, host) => {
    expect(normalizeHost(header)).toBe(host);
  });

  it.each([
    [''],
    ['.'],
    ['example.com..'],
    ['a..b'],
    ['.example.com'],
    ['exa mple.com'],
    ['example.com:http'],
    ['example.com:99999'],
    ['example.com:80:80'],
    ['::1'],
    ['[::1'],
    ['[not-ipv6]:80'],
    ['[::1]x'],
    ['[::1]:x'],
    ['*.example.com'],
    ['a'.repeat(64) + '.com'],
    [`${'abc.'.repeat(64)}com`],
  ])('%j is invalid', (header) => {
    expect(normalizeHost(header)).toBeUndefined();
  });
});

function route(pathType: MatchType, path: string): Route {
  const upstream = { key: `shop/${path}:80`, service: { namespace: 'shop', name: 'web' }, endpoints: [] };
  const options = { sslRedirect: false, loadBalancing: 'round-robin', backendProtocol: 'HTTP', readTimeoutMs: 60_000, maxBodyBytes: undefined, tunnelIdleTimeoutMs: 3_600_000, connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined } as const;
  return { ingress: { namespace: 'shop', name: 'web' }, pathType, path, upstream, options };
}

function hostRoutes(...routes: Route[]): HostRoutes {
  return {
    exact: new Map(routes.filter((r) => r.pathType === 'Exact').map((r) => [r.path, r])),
    prefix: new Map(routes.filter((r) => r.pathType === 'Prefix').map((r) => [r.path, r])),
  };
}

describe('lookupPath', () => {
  const routes = hostRoutes(
    route('Prefix', '/'),
    route('Prefix', '/foo'),
    route('Prefix', '/foo/bar'),
    route('Exact', '/foo'),
    route('Exact', '/baz/'),
  );

  it.each([
    ['/', 'Prefix /'],
    ['/foo', 'Exact /foo'],
    ['/foo/', 'Prefix /foo'],
    ['/foo/x', 'Prefix /foo'],
    ['/foobar', 'Prefix /'],
    ['/foo/bar', 'Prefix /foo/bar'],
    ['/foo/bar/', 'Prefix /foo/bar'],
    ['/foo/barn', 'Prefix /foo'],
    ['/foo/bar/baz/qux', 'Prefix /foo/bar'],
    ['/foo//bar', 'Prefix /foo'],
    ['/baz/', 'Exact /baz/'],
    ['/baz', 'Prefix /'],
  ])('%s → %s', (path, expected) => {
    const found = lookupPath(routes, path);
    expect(found && `${found.pathType} ${found.path}`).toBe(expected);
  });

  it('finds nothing without a root prefix, or for a path that is not absolute', () => {
    const noRoot = hostRoutes(route('Prefix', '/foo'));
    expect(lookupPath(noRoot, '/bar')).toBeUndefined();
    expect(lookupPath(noRoot, '/')).toBeUndefined();
    expect(lookupPath(routes, '*')).toBeUndefined();
  });
});

describe('lookupHostRoutes and matchRoute', () => {
  const exact = hostRoutes(route('Prefix', '/exact'));
  const wildcard = hostRoutes(route('Prefix', '/wild'));
  const anyHost = hostRoutes(route('Prefix', '/any'));
  const defaultBackend = route('Prefix', '/');
  const table: RoutingTable = {
    hosts: new Map([['shop.example.com', exact]]),
    wildcards: new Map([['example.com', wildcard]]),
    anyHost,
    defaultBackend,
    upstreams: new Map(),
    tls: { hosts: new Map(), wildcards: new Map() },
  };

  it('takes the most specific host level that has routes', () => {
    expect(lookupHostRoutes(table, 'shop.example.com')).toBe(exact);
    expect(lookupHostRoutes(table, 'blog.example.com')).toBe(wildcard);
    expect(lookupHostRoutes(table, 'example.com')).toBe(anyHost);
    expect(lookupHostRoutes(table, 'a.b.example.com')).toBe(anyHost);
    expect(lookupHostRoutes(table, '')).toBe(anyHost);
  });

  it('falls back to the default backend, never to a less specific host level', () => {
    expect(matchRoute(table, 'shop.example.com', '/exact/x')?.path).toBe('/exact');
    expect(matchRoute(table, 'shop.example.com', '/wild')).toBe(defaultBackend);
    expect(matchRoute(table, 'blog.example.com', '/any')).toBe(defaultBackend);
    expect(matchRoute({ ...table, defaultBackend: undefined }, 'shop.example.com', '/wild')).toBeUndefined();
  });
});

describe('lookupCertificate', () => {
  const certificate = (name: string): TlsCertificate => ({ secret: { namespace: 'shop', name }, certPem: '', keyPem: '' });
  const exact = certificate('exact');
  const wildcard = certificate('wildcard');
  const tls: TlsTable = { hosts: new Map([['shop.example.com', exact]]), wildcards: new Map([['example.com', wildcard]]) };

  it('takes the exact host, else the wildcard of its parent (one label only)', () => {
    expect(lookupCertificate(tls, 'shop.example.com')).toBe(exact);
    expect(lookupCertificate(tls, 'blog.example.com')).toBe(wildcard);
    expect(lookupCertificate(tls, 'example.com')).toBeUndefined();
    expect(lookupCertificate(tls, 'a.blog.example.com')).toBeUndefined();
    expect(lookupCertificate(tls, '')).toBeUndefined();
  });
});
