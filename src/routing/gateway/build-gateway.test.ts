import { describe, expect, it } from '@jest/globals';
import { matchRoute, tableForConnection } from '../match.ts';
import type { RequestFacts } from '../match.ts';
import type { Route, RoutingTable } from '../types.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, namespace, service } from '../../../test/support/routing/gateway-world.ts';

const facts = (over: Partial<{ method: string; proto: 'http' | 'https'; headers: Record<string, string>; query: Record<string, string> }> = {}): RequestFacts => ({
  method: over.method ?? 'GET', proto: over.proto ?? 'http',
  header: (n) => over.headers?.[n], queryParam: (n) => over.query?.[n],
});
const backendOf = (table: RoutingTable, host: string, path: string, f = facts()): string | undefined =>
  matchRoute(table, host, path, f)?.upstream.key;

const base = [gatewayClass(), gateway('gw', 'edge', [httpListener({ allowedRoutes: { namespaces: { from: 'All' } } })]), ...service('app', 'web', 80, ['10.0.0.1']), ...service('app', 'api', 8080, ['10.0.0.2'])];
const ref = (name: string, port: number, extra = {}) => ({ name, port, ...extra });

describe('Gateway API build', () => {
  it('serves an HTTPRoute: prefix and exact paths, header/query/method conditions in precedence order', () => {
    const result = build([...base, httpRoute('app', 'shop', {
      parentRefs: [{ name: 'edge', namespace: 'gw' }], hostnames: ['shop.example.com'],
      rules: [
        { backendRefs: [ref('web', 80)] },
        { matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'X-Version', value: '2' }] }], backendRefs: [ref('api', 8080)] },
        { matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }], backendRefs: [ref('web', 80)] },
        { matches: [{ path: { type: 'Exact', value: '/q' }, queryParams: [{ name: 'x', value: '1' }] }], backendRefs: [ref('api', 8080)] },
      ],
    })]);
    const { table } = result;
    expect(backendOf(table, 'shop.example.com', '/')).toBe('app/web:80');
    expect(backendOf(table, 'shop.example.com', '/api/x')).toBe('app/web:80');
    expect(backendOf(table, 'shop.example.com', '/api/x', facts({ headers: { 'x-version': '2' } }))).toBe('app/api:8080');
    // Method beats headers: a POST with the header goes to the method route.
    expect(backendOf(table, 'shop.example.com', '/api', facts({ method: 'POST', headers: { 'x-version': '2' } }))).toBe('app/web:80');
    expect(backendOf(table, 'shop.example.com', '/q', facts({ query: { x: '1' } }))).toBe('app/api:8080');
    expect(backendOf(table, 'shop.example.com', '/q')).toBe('app/web:80');
    expect(backendOf(table, 'other.example.com', '/')).toBeUndefined();
    expect(table.upstreams.has('app/api:8080')).toBe(true);
    const report = result.gatewayApi;
    expect(report?.classes.map((c) => c.conditions[0]?.status)).toEqual(['True']);
    expect(report?.gateways[0]?.listeners[0]).toMatchObject({ name: 'http', attachedRoutes: 1 });
    expect(report?.routes[0]?.parents[0]?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'ResolvedRefs=True']);
  });

  it('reports listeners it cannot serve and routes they refuse', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'odd', [httpListener({ port: 8080 }), { name: 'udp', port: 9000, protocol: 'UDP' }]),
      ...service('gw', 'web', 80, ['10.0.0.1']),
      httpRoute('gw', 'r', { parentRefs: [{ name: 'odd' }], rules: [{ backendRefs: [ref('web', 80)] }] }),
    ]);
    const gw = result.gatewayApi?.gateways[0];
    // No listener Bollard can serve: the Gateway itself is not accepted.
    expect(gw?.conditions.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual(['Accepted=False:ListenersNotValid', 'Programmed=False:Invalid', 'ResolvedRefs=True:ResolvedRefs']);
    expect(gw?.listeners.map((l) => l.supportedKinds.map((k) => k.kind))).toEqual([['HTTPRoute', 'GRPCRoute'], []]);
    expect(gw?.listeners.map((l) => l.conditions.find((c) => c.type === 'Accepted')?.reason)).toEqual(['PortUnavailable', 'UnsupportedProtocol']);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions[0]).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
  });

  it('a listener whose certificate is missing takes routes (attachedRoutes counts them) but serves none', () => {
    const result = build([
      gatewayClass(), gateway('gw', 'tls', [{ name: 'tls', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'does-not-exist' }] } }]),
      ...service('gw', 'web', 80, ['10.0.0.1']),
      httpRoute('gw', 'r', { parentRefs: [{ name: 'tls', sectionName: 'tls' }], hostnames: ['tls.example.com'], rules: [{ backendRefs: [ref('web', 80)] }] }),
    ]);
    const listener = result.gatewayApi?.gateways[0]?.listeners[0];
    expect(listener?.attachedRoutes).toBe(1);
    expect(listener?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'ResolvedRefs=False', 'Programmed=False', 'Conflicted=False']);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True' });
    expect(backendOf(result.table, 'tls.example.com', '/', facts({ proto: 'https' }))).toBeUndefined();
  });

  it('with --gateway-addresses each Gateway gets its own address and table; one beyond the pool serves nothing', () => {
    const created = (name: string, day: number, listeners = [httpListener()]) =>
      ({ ...gateway('gw', name, listeners), metadata: { namespace: 'gw', name, creationTimestamp: `2024-01-0${String(day)}T00:00:00Z` } });
    const route = (name: string, gw: string, backend: string) =>
      httpRoute('gw', name, { parentRefs: [{ name: gw }], rules: [{ backendRefs: [ref(backend, 80)] }] });
    const result = build([
      gatewayClass(), created('one', 1), created('two', 2), created('three', 3),
      ...service('gw', 'web', 80, ['10.0.0.1']), ...service('gw', 'api', 80, ['10.0.0.2']),
      route('r1', 'one', 'web'), route('r2', 'two', 'api'), route('r3', 'three', 'web'),
    ], { gatewayAddresses: ['192.0.2.1', '192.0.2.2'] });
    const { table } = result;
    expect([...table.byAddress?.keys() ?? []]).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(backendOf(table.byAddress?.get('192.0.2.1') as RoutingTable, 'any.test', '/')).toBe('gw/web:80');
    expect(backendOf(table.byAddress?.get('192.0.2.2') as RoutingTable, 'any.test', '/')).toBe('gw/api:80');
    expect(backendOf(table, 'any.test', '/')).toBeUndefined();
    expect(backendOf(tableForConnection(table, { localAddress: '::ffff:192.0.2.2' }), 'any.test', '/')).toBe('gw/api:80');
    expect([...table.upstreams.keys()]).toEqual(['gw/api:80', 'gw/web:80']);
    const gateways = result.gatewayApi?.gateways ?? [];
    expect(gateways.map((g) => [g.ref.name, g.addresses, g.conditions.find((c) => c.type === 'Programmed')?.reason])).toEqual([
      ['one', ['192.0.2.1'], 'Programmed'], ['three', [], 'AddressNotAssigned'], ['two', ['192.0.2.2'], 'Programmed'],
    ]);
  });

  it('listener isolation: a name goes to the routes of the most specific listener that covers it', () => {
    const listener = (name: string, hostname?: string) => httpListener({ name, ...(hostname === undefined ? {} : { hostname }) });
    const via = (name: string, section: string, path: string) => httpRoute('gw', name, {
      parentRefs: [{ name: 'iso', sectionName: section }], hostnames: ['bar.com', '*.example.com', 'abc.foo.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [ref('web', 80)] }],
    });
    // With its own address the Gateway's table holds its listeners' hostnames even without routes.
    const built = build([
      gatewayClass(), gateway('gw', 'iso', [listener('any'), listener('wild', '*.example.com'), listener('foo', '*.foo.example.com'), listener('abc', 'abc.foo.example.com')]),
      ...service('gw', 'web', 80, ['10.0.0.1']),
      via('r-any', 'any', '/any'), via('r-wild', 'wild', '/wild'), via('r-abc', 'abc', '/abc'),
    ], { gatewayAddresses: ['192.0.2.1'] });
    const table = tableForConnection(built.table, { localAddress: '192.0.2.1' });
    const served = (host: string, path: string) => backendOf(table, host, path) !== undefined;
    expect([served('bar.com', '/any'), served('x.example.com', '/any'), served('abc.foo.example.com', '/any')]).toEqual([true, false, false]);
    expect([served('x.example.com', '/wild'), served('abc.foo.example.com', '/wild'), served('x.foo.example.com', '/wild')]).toEqual([true, false, false]);
    expect(served('abc.foo.example.com', '/abc')).toBe(true);
  });

  it('allowedRoutes Same refuses another namespace; a class of another controller is ignored', () => {
    const result = build([
      gatewayClass(), gatewayClass('other', 'example.com/other'),
      gateway('gw', 'same', [httpListener()]), gateway('gw', 'theirs', [httpListener()], 'other'),
      ...service('app', 'web', 80, ['10.0.0.1']),
      httpRoute('app', 'r', { parentRefs: [{ name: 'same', namespace: 'gw' }, { name: 'theirs', namespace: 'gw' }], rules: [{ backendRefs: [ref('web', 80)] }] }),
    ]);
    expect(result.gatewayApi?.gateways.map((g) => g.ref.name)).toEqual(['same']);
    expect(result.gatewayApi?.routes[0]?.parents).toHaveLength(1);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions[0]?.reason).toBe('NotAllowedByListeners');
    expect(result.table.anyHost).toBeUndefined();
  });

  it('allowedRoutes Selector admits routes from namespaces whose labels match (matchLabels and matchExpressions)', () => {
    const selector = { matchLabels: { team: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }, { key: 'tier', operator: 'Exists' }] };
    const route = (ns: string) => httpRoute(ns, 'r', {
      parentRefs: [{ name: 'picky', namespace: 'gw' }], hostnames: [`${ns}.example.com`], rules: [{ backendRefs: [ref('web', 80)] }],
    });
    const result = build([
      gatewayClass(), gateway('gw', 'picky', [httpListener({ allowedRoutes: { namespaces: { from: 'Selector', selector } } })]),
      namespace('ok', { team: 'web', env: 'prod', tier: 'front' }),
      namespace('dev', { team: 'web', env: 'dev', tier: 'front' }),
      namespace('flat', { team: 'web' }),
      namespace('other', { team: 'data', tier: 'front' }),
      ...['ok', 'dev', 'flat', 'other', 'unknown'].flatMap((ns) => [...service(ns, 'web', 80, ['10.0.0.1']), route(ns)]),
    ]);
    const accepted = Object.fromEntries((result.gatewayApi?.routes ?? []).map((r) => [r.ref.namespace, r.parents[0]?.conditions[0]?.reason]));
    expect(accepted).toEqual({ ok: 'Accepted', dev: 'NotAllowedByListeners', flat: 'NotAllowedByListeners', other: 'NotAllowedByListeners', unknown: 'NotAllowedByListeners' });
    expect(backendOf(result.table, 'ok.example.com', '/')).toBe('ok/web:80');
    expect(backendOf(result.table, 'dev.example.com', '/')).toBeUndefined();
    expect(result.gatewayApi?.gateways[0]?.listeners[0]).toMatchObject({ attachedRoutes: 1 });
  });

  it('splits by weight, answers an unpermitted cross-namespace backend with 500, and honours a ReferenceGrant', () => {
    const route = (name: string) => httpRoute('app', name, {
      parentRefs: [{ name: 'edge', namespace: 'gw' }], hostnames: [`${name}.example.com`],
      rules: [{ backendRefs: [ref('web', 80, { weight: 3 }), ref('db', 5432, { namespace: 'data', weight: 1 })] }],
    });
    const grant = { kind: 'ReferenceGrant', metadata: { namespace: 'data', name: 'g' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'app' }], to: [{ group: '', kind: 'Service' }] } };
    const denied = build([...base, ...service('data', 'db', 5432, ['10.0.0.3']), route('denied')]);
    const split = matchRoute(denied.table, 'denied.example.com', '/', facts())?.split;
    expect(split?.cumulative).toEqual([3, 4]);
    expect(split?.routes.map((r: Route) => [r.upstream.key, r.invalidBackend === true])).toEqual([['app/web:80', false], ['invalid:data/db', true]]);
    expect(denied.gatewayApi?.routes[0]?.parents[0]?.conditions[1]).toMatchObject({ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' });
    const allowed = build([...base, ...service('data', 'db', 5432, ['10.0.0.3']), grant, route('allowed')]);
    expect(matchRoute(allowed.table, 'allowed.example.com', '/', facts())?.split?.routes[1]?.upstream.key).toBe('data/db:5432');
  });

  it('resolves an Ingress and an HTTPRoute on the same host and path by age, and reports the loser', () => {
    const ingress = (created: string) => ({
      kind: 'Ingress', metadata: { namespace: 'app', name: 'legacy', creationTimestamp: created },
      spec: { ingressClassName: 'bollard', rules: [{ host: 'shop.example.com', http: { paths: [
        { path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } },
        { path: '/old', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } },
      ] } }] },
    });
    const klass = { kind: 'IngressClass', metadata: { name: 'bollard' }, spec: { controller: 'bollard.io/ingress-controller' } };
    const route = httpRoute('app', 'new', {
      parentRefs: [{ name: 'edge', namespace: 'gw' }], hostnames: ['shop.example.com'],
      rules: [{ backendRefs: [ref('web', 80)] }, { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'canary', value: 'yes' }] }], backendRefs: [ref('web', 80)] }],
    }, { creationTimestamp: '2024-06-01T00:00:00Z' });
    const older = build([...base, klass, ingress('2023-01-01T00:00:00Z'), route]);
    expect(backendOf(older.table, 'shop.example.com', '/')).toBe('app/api:8080');
    expect(backendOf(older.table, 'shop.example.com', '/', facts({ headers: { canary: 'yes' } }))).toBe('app/web:80');
    expect(backendOf(older.table, 'shop.example.com', '/old/x')).toBe('app/api:8080');
    expect(older.gatewayApi?.conflicts).toEqual(['HTTPRoute app/new loses shop.example.com Prefix / to Ingress app/legacy']);
    const newer = build([...base, klass, ingress('2025-01-01T00:00:00Z'), route]);
    expect(backendOf(newer.table, 'shop.example.com', '/')).toBe('app/web:80');
    expect(backendOf(newer.table, 'shop.example.com', '/', facts({ proto: 'https' }))).toBe('app/api:8080');
    expect(newer.gatewayApi?.conflicts).toEqual(['Ingress app/legacy loses shop.example.com Prefix / (over http) to HTTPRoute app/new']);
    expect(newer.diagnostics.filter((d) => d.reason === 'Conflict').map((d) => d.ingress.name)).toEqual(['legacy']);
  });

  it('compiles filters onto the middleware model and GRPCRoute methods onto paths', () => {
    const result = build([...base,
      httpRoute('app', 'f', {
        parentRefs: [{ name: 'edge', namespace: 'gw' }], hostnames: ['f.example.com'],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/old' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/app' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], backendRefs: [ref('web', 80)] },
          { matches: [{ path: { type: 'PathPrefix', value: '/m' } }], filters: [{ type: 'RequestMirror' }], backendRefs: [ref('web', 80)] },
        ],
      }),
      { kind: 'GRPCRoute', metadata: { namespace: 'app', name: 'g' }, spec: { parentRefs: [{ name: 'edge', namespace: 'gw' }], hostnames: ['grpc.example.com'], rules: [{ matches: [{ method: { service: 'echo.Echo', method: 'Say' } }], backendRefs: [ref('api', 8080)] }] } },
    ]);
    const redirect = matchRoute(result.table, 'f.example.com', '/old/x', facts());
    expect(redirect?.middlewares?.filters[0]).toMatchObject({ kind: 'RequestRedirect', statusCode: 301 });
    expect(redirect?.invalidBackend).toBe(true);
    expect(matchRoute(result.table, 'f.example.com', '/app/x', facts())?.middlewares?.filters[0]).toMatchObject({ kind: 'URLRewrite', path: { type: 'RegexCapture', pattern: '/app(/.*)?$', replacement: '$1' } });
    expect(matchRoute(result.table, 'f.example.com', '/app', facts())).toBeDefined();
    expect(matchRoute(result.table, 'f.example.com', '/m', facts())).toBeUndefined();
    const routeReport = result.gatewayApi?.routes.find((r) => r.ref.name === 'f');
    expect(routeReport?.parents[0]?.conditions.map((c) => c.type)).toEqual(['Accepted', 'ResolvedRefs', 'PartiallyInvalid']);
    const grpc = matchRoute(result.table, 'grpc.example.com', '/echo.Echo/Say', facts({ method: 'POST' }));
    expect(grpc?.options.backendProtocol).toBe('GRPC');
    expect(matchRoute(result.table, 'grpc.example.com', '/echo.Echo/Other', facts())).toBeUndefined();
  });

  it('builds the same table twice and leaves an Ingress-only build as it was', () => {
    const objects = [...base, httpRoute('app', 'r', { parentRefs: [{ name: 'edge', namespace: 'gw' }], rules: [{ backendRefs: [ref('web', 80)] }] })];
    expect(JSON.stringify([...build(objects).table.anyHost?.prefix.values() ?? []])).toBe(JSON.stringify([...build(objects).table.anyHost?.prefix.values() ?? []]));
    expect(build(service('app', 'web', 80, ['10.0.0.1'])).gatewayApi).toBeUndefined();
  });
});
