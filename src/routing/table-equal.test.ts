import { describe, expect, it } from '@jest/globals';
import { tablesEqual } from './table-equal.ts';
import type { HostRoutes, Route, RoutingTable, Upstream } from './types.ts';

const upstream = (key: string, ...ports: number[]): Upstream => ({
  key, service: { namespace: 'ns', name: key }, endpoints: ports.map((port) => ({ host: '10.0.0.1', port })),
});
const route = (path: string, u: Upstream, name = 'ing'): Route => ({ ingress: { namespace: 'ns', name }, pathType: 'Prefix', path, upstream: u });
const hostRoutes = (...routes: Route[]): HostRoutes => ({ exact: new Map(), prefix: new Map(routes.map((r) => [r.path, r])) });
const table = (u: Upstream, routes: HostRoutes, defaultBackend?: Route): RoutingTable => ({
  hosts: new Map([['a.test', routes]]), wildcards: new Map(), anyHost: undefined, defaultBackend, upstreams: new Map([[u.key, u]]),
});

describe('tablesEqual', () => {
  it('is true for separately built tables with the same content', () => {
    const u1 = upstream('web', 80);
    const u2 = upstream('web', 80);
    expect(tablesEqual(table(u1, hostRoutes(route('/', u1))), table(u2, hostRoutes(route('/', u2))))).toBe(true);
  });

  it.each([
    ['an endpoint port', table(upstream('web', 81), hostRoutes(route('/', upstream('web', 81))))],
    ['an extra endpoint', table(upstream('web', 80, 81), hostRoutes(route('/', upstream('web', 80, 81))))],
    ['a path', table(upstream('web', 80), hostRoutes(route('/x', upstream('web', 80))))],
    ['the owning Ingress', table(upstream('web', 80), hostRoutes(route('/', upstream('web', 80), 'other')))],
    ['a default backend', table(upstream('web', 80), hostRoutes(route('/', upstream('web', 80))), route('/', upstream('web', 80)))],
  ])('notices a change of %s', (_what, changed) => {
    const u = upstream('web', 80);
    expect(tablesEqual(table(u, hostRoutes(route('/', u))), changed)).toBe(false);
  });
});
