import { describe, expect, it } from '@jest/globals';
import type { Json } from '../../kube/client.ts';
import type { ClusterState } from '../../snapshot/cluster-state.ts';
import { buildRoutingTable } from '../build.ts';
import { createBuildCache } from '../cache.ts';
import { tablesEqual } from '../table-equal.ts';
import type { BuildOptions, BuildResult } from '../types.ts';
import { Draw } from '../../../test/support/routing/build-cache.ts';
import { readFileSync } from 'node:fs';
import {
  GATEWAY_CONTROLLER, backendTlsPolicy, configMap, gateway, gatewayClass, httpListener, httpRoute, listenerSet, service, upsertInto, world,
} from '../../../test/support/routing/gateway-world.ts';

const CA = readFileSync(new URL('../../../test/fixtures/tls/rsa-2048-a.crt', import.meta.url), 'utf8');

const serialise = (result: BuildResult): string =>
  JSON.stringify(result, (_key, v: unknown) => (v instanceof Map ? [...(v as Map<unknown, unknown>)] : v instanceof Set ? [...(v as Set<unknown>)] : v));

const HOSTS = ['a.test', 'b.test', '*.wild.test', 'x.wild.test'];
const SERVICES = [['app', 'web'], ['app', 'api'], ['data', 'db']] as const;

const LISTENER_SETS = ['ls-a', 'ls-b'];
const LISTENER_SET_NAMESPACES = ['gw', 'app', 'app'];

function randomParent(d: Draw): Json {
  const section = d.chance(0.3) ? { sectionName: d.pick(['http', 'https', 'alt', 'ls-1', 'ls-2']) } : {};
  if (d.chance(0.5)) return { group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: d.pick(LISTENER_SETS), namespace: d.pick(LISTENER_SET_NAMESPACES), ...section };
  return { name: d.pick(['edge', 'other']), namespace: 'gw', ...section };
}

function randomRoute(d: Draw, name: string): Json {
  const [namespace, svc] = d.pick(SERVICES);
  return httpRoute('app', name, {
    parentRefs: Array.from({ length: 1 + d.int(2) }, () => randomParent(d)),
    hostnames: d.some(2, () => d.pick(HOSTS)),
    rules: [{
      matches: [{ path: { type: d.pick(['PathPrefix', 'Exact']), value: d.pick(['/', '/x', '/x/y']) } }],
      backendRefs: [{ name: svc, port: 80, ...(namespace === 'app' ? {} : { namespace }) }],
    }],
  });
}

function randomGateway(d: Draw, name: string, from?: string): Json {
  const listeners = [httpListener({ allowedRoutes: { namespaces: { from: 'All' } }, ...(d.chance(0.5) ? { hostname: d.pick(HOSTS) } : {}) })];
  if (d.chance(0.5)) listeners.push(httpListener({ name: 'alt', port: d.pick([8080, 8090]), allowedRoutes: { namespaces: { from: 'All' } } }));
  const gw = gateway('gw', name, listeners);
  if (from === undefined && d.chance(0.1)) return gw;
  return { ...gw, spec: { ...(gw.spec as Json), allowedListeners: { namespaces: { from: from ?? d.pick(['All', 'All', 'Same', 'None']) } } } };
}

/** A ListenerSet of either Gateway, in its namespace or the routes', with listeners that may clash with the Gateways' or each other's. */
function randomListenerSet(d: Draw): Json {
  const listeners = Array.from({ length: 1 + d.int(2) }, (_x, i) => httpListener({
    name: `ls-${String(i + 1)}`, allowedRoutes: { namespaces: { from: d.pick(['All', 'All', 'Same']) } },
    ...(d.chance(0.9) ? { hostname: d.pick(HOSTS) } : {}), ...(d.chance(0.2) ? { port: d.pick([8080, 8090]) } : {}), ...(d.chance(0.1) ? { protocol: 'TCP' } : {}),
  }));
  const ls = listenerSet(d.pick(LISTENER_SET_NAMESPACES), d.pick(LISTENER_SETS), `gw/${d.pick(['edge', 'other'])}`, listeners);
  return { ...ls, metadata: { ...(ls.metadata as Json), creationTimestamp: `2024-01-0${String(1 + d.int(3))}T00:00:00Z` } };
}

/** A ListenerSet added, changed or removed, or the echo of its status (no rebuild). */
function listenerSetEdit(d: Draw, state: ClusterState): void {
  const [namespace, name] = [d.pick(LISTENER_SET_NAMESPACES), d.pick(LISTENER_SETS)];
  switch (d.int(4)) {
    case 0: case 1: upsertInto(state, randomListenerSet(d)); break;
    case 2: state.gateways.removeListenerSet(namespace, name); break;
    default: {
      const current = state.gateways.lookupListenerSet(namespace, name);
      if (current !== undefined) state.gateways.upsertListenerSet({ ...current, listenerStatus: [{ name: 'ls-1', attachedRoutes: d.int(9), conditions: [] }] });
    }
  }
}

const grant: Json = {
  kind: 'ReferenceGrant', metadata: { namespace: 'data', name: 'g' },
  spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'app' }], to: [{ group: '', kind: 'Service' }] },
};

/** A BackendTLSPolicy on one of the Services, its CA bundle present or not: its ancestors come from the routes' lookups. */
function policyEdit(d: Draw, state: ClusterState): void {
  const [namespace, name] = d.pick(SERVICES);
  switch (d.int(3)) {
    case 0:
      upsertInto(state, backendTlsPolicy(namespace, `tls-${name}`, {
        targetRefs: [{ group: '', kind: 'Service', name }], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: `${name}.test` },
      }));
      break;
    case 1: state.gateways.removeBackendTlsPolicy(namespace, `tls-${name}`); break;
    default: if (d.chance(0.5)) upsertInto(state, configMap(namespace, 'ca', { 'ca.crt': CA })); else state.gateways.removeConfigMap(namespace, 'ca');
  }
}

/** The status leader's echo: the same Gateway spec, another status (a new object, as the watch delivers it). */
function statusEcho(d: Draw, state: ClusterState): void {
  const name = d.pick(['edge', 'other']);
  const current = state.gateways.lookupGateway('gw', name);
  if (current === undefined) return;
  state.gateways.upsertGateway({ ...current, listenerStatus: [{ name: 'http', attachedRoutes: d.int(9), conditions: [] }] });
}

/** An Ingress on the routes' hosts: its routes are the base the Gateway merge builds on. */
function ingressEdit(d: Draw, state: ClusterState): void {
  const name = `ing${String(d.int(2))}`;
  if (d.chance(0.3)) {
    state.removeIngress('app', name);
    return;
  }
  upsertInto(state, {
    kind: 'Ingress', metadata: { namespace: 'app', name, creationTimestamp: d.pick(['2023-01-01T00:00:00Z', '2025-01-01T00:00:00Z']) },
    spec: { ingressClassName: 'bollard', rules: [{ host: d.pick(['a.test', 'b.test']), http: { paths: [
      { path: d.pick(['/', '/x']), pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } },
    ] } }] },
  });
}

function serviceEdit(d: Draw, state: ClusterState): void {
  const [namespace, name] = d.pick(SERVICES);
  for (const raw of service(namespace, name, 80, [`10.0.0.${String(1 + d.int(3))}`])) upsertInto(state, raw);
}

/** The edits drawn from, each as likely as the others (routes and ListenerSets twice). */
const EDITS: readonly ((d: Draw, state: ClusterState) => void)[] = [
  (d, state) => { upsertInto(state, randomRoute(d, `r${String(d.int(8))}`)); },
  (d, state) => { upsertInto(state, randomRoute(d, `r${String(d.int(8))}`)); },
  (d, state) => { state.gateways.removeRoute('HTTPRoute', 'app', `r${String(d.int(8))}`); },
  serviceEdit,
  (d, state) => { if (d.chance(0.5)) upsertInto(state, grant); else state.gateways.removeReferenceGrant('data', 'g'); },
  policyEdit, statusEcho, ingressEdit, listenerSetEdit, listenerSetEdit,
  (d, state) => { upsertInto(state, randomGateway(d, d.pick(['edge', 'other']))); },
];

function edit(d: Draw, state: ClusterState): void {
  d.pick(EDITS)(d, state);
}

/** Steps, over all seeds, where some route was attached through a ListenerSet: the edits reach them. */
let throughListenerSets = 0;

describe('the Gateway API build with a BuildCache', () => {
  it.each(Array.from({ length: 25 }, (_, i) => i + 1))('gives what a fresh build gives after every random edit (seed %i)', (seed) => {
    const d = new Draw(seed);
    const state = world([
      gatewayClass(), { kind: 'IngressClass', metadata: { name: 'bollard' }, spec: { controller: 'bollard.io/ingress-controller' } },
      ...SERVICES.flatMap(([ns, name]) => service(ns, name, 80, ['10.0.0.1'])),
    ]);
    upsertInto(state, randomGateway(d, 'edge', 'All'));
    upsertInto(state, randomGateway(d, 'other', 'All'));
    for (let i = 0; i < 3; i++) upsertInto(state, randomListenerSet(d));
    for (let i = 0; i < 4; i++) upsertInto(state, randomRoute(d, `r${String(i)}`));
    const cache = createBuildCache();
    for (let step = 0; step < 40; step++) {
      for (let i = 1 + d.int(2); i > 0; i--) edit(d, state);
      const options: BuildOptions = { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: GATEWAY_CONTROLLER, ...(d.chance(0.5) ? { gatewayAddresses: ['192.0.2.1', '192.0.2.2'] } : {}) };
      const warm = buildRoutingTable(state, options, cache);
      const fresh = buildRoutingTable(state, options);
      expect({ step, result: serialise(warm) }).toEqual({ step, result: serialise(fresh) });
      expect(tablesEqual(warm.table, fresh.table)).toBe(true);
      const viaSet = fresh.gatewayApi?.routes.some((r) => r.parents.some((p) => p.parentRef.kind === 'ListenerSet' && p.conditions[0]?.status === 'True'));
      if (viaSet === true) throughListenerSets += 1;
    }
    // The caches were used: most routes and hosts were unchanged at most steps.
    expect(cache.gatewayRoutes.hits).toBeGreaterThan(0);
    expect(cache.gatewayMerge.reused).toBeGreaterThan(0);
    expect(cache.gatewayOutcomes.reused).toBeGreaterThan(0);
  });

  it('drew routes attached through ListenerSets in many of those steps', () => {
    expect(throughListenerSets).toBeGreaterThan(25);
  });

  it('compiles an unchanged route once (whatever its Gateway\'s status says), and again when a Service it reads changes', () => {
    const state = world([gatewayClass(), gateway('gw', 'edge', [httpListener({ allowedRoutes: { namespaces: { from: 'All' } } })]), ...service('app', 'web', 80, ['10.0.0.1']),
      httpRoute('app', 'r', { parentRefs: [{ name: 'edge', namespace: 'gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] })]);
    const cache = createBuildCache();
    const options: BuildOptions = { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: GATEWAY_CONTROLLER };
    buildRoutingTable(state, options, cache);
    buildRoutingTable(state, options, cache);
    expect([cache.gatewayRoutes.hits, cache.gatewayRoutes.misses]).toEqual([1, 1]);
    // The status leader's write comes back: the Gateway is a new object with the same spec.
    const edge = state.gateways.lookupGateway('gw', 'edge');
    if (edge !== undefined) state.gateways.upsertGateway({ ...edge, listenerStatus: [{ name: 'http', attachedRoutes: 1, conditions: [] }] });
    upsertInto(state, httpRoute('app', 'other', { parentRefs: [{ name: 'edge', namespace: 'gw' }], hostnames: ['other.test'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }));
    buildRoutingTable(state, options, cache);
    expect([cache.gatewayRoutes.hits, cache.gatewayRoutes.misses]).toEqual([2, 2]);
    // The unchanged route's host is not merged again; the new one's is.
    expect([cache.gatewayMerge.reused, cache.gatewayMerge.merged]).toEqual([2, 2]);
    for (const raw of service('app', 'web', 80, ['10.0.0.9'])) upsertInto(state, raw);
    const table = buildRoutingTable(state, options, cache).table;
    // Both routes read that Service.
    expect([cache.gatewayRoutes.hits, cache.gatewayRoutes.misses]).toEqual([2, 4]);
    expect(table.upstreams.get('app/web:80')?.endpoints.map((e) => e.host)).toEqual(['10.0.0.9']);
  });
});
