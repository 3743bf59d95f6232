import { describe, expect, it } from '@jest/globals';
import { ClusterState } from './cluster-state.ts';
import type { GatewayObject, HttpRouteObject, ListenerSetObject, RouteParentStatus } from './gateway-model.ts';

const gateway = (extra: Partial<GatewayObject> = {}): GatewayObject => ({
  namespace: 'ns', name: 'gw', uid: 'u', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z', gatewayClassName: 'bollard',
  listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', certificateRefs: [{ group: '', kind: 'Secret', name: 'cert' }], allowedFrom: 'Same', allowedKinds: [] }],
  specAddresses: [], conditions: [], listenerStatus: [], statusAddresses: [], ...extra,
});
const route = (extra: Partial<HttpRouteObject> = {}): HttpRouteObject => ({
  kind: 'HTTPRoute', namespace: 'ns', name: 'r', uid: 'u', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z',
  parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }], hostnames: [], statusParents: [], resourceVersion: '',
  rules: [{ matches: [], filters: [], backendRefs: [{ group: '', kind: 'Service', name: 'web', port: 80, weight: 1, filters: [] }], timeouts: {} }],
  ...extra,
});
const condition = { type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: '', observedGeneration: 1, lastTransitionTime: '' };
const service = { namespace: 'ns', name: 'web', type: 'ClusterIP', externalIPs: [], ports: [], statusLoadBalancer: [] };

describe('GatewayStore in ClusterState', () => {
  it('holds ListenerSets: a spec change matters, a status echo does not; their certificate Secrets matter', () => {
    const state = new ClusterState();
    const ls: ListenerSetObject = {
      namespace: 'apps', name: 'ls', uid: 'u', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z',
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'ns' },
      listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', certificateRefs: [{ group: '', kind: 'Secret', name: 'ls-cert' }], allowedFrom: 'Same', allowedKinds: [] }],
      conditions: [], listenerStatus: [],
    };
    expect(state.gateways.upsertListenerSet(ls)).toBe(true);
    expect(state.gatewayApi()?.listenerSets?.map((l) => l.name)).toEqual(['ls']);
    const before = state.gatewayApi();
    expect(state.gateways.upsertListenerSet({ ...ls, conditions: [condition] })).toBe(false);
    expect(state.gatewayApi()).toBe(before);
    expect(state.gateways.lookupListenerSet('apps', 'ls')?.conditions).toEqual([condition]);
    expect(state.upsertSecret({ namespace: 'apps', name: 'ls-cert', type: 'kubernetes.io/tls', data: {} })).toBe(true);
    expect(state.gateways.upsertGateway(gateway({ allowedListeners: { from: 'All' } }))).toBe(true);
    expect(state.gateways.upsertGateway(gateway({ allowedListeners: { from: 'All' }, attachedListenerSets: 1 }))).toBe(false);
    // Namespace labels matter once a Gateway selects ListenerSets' namespaces by label.
    expect(state.gateways.upsertNamespace('apps', { team: 'a' })).toBe(false);
    state.gateways.upsertGateway(gateway({ allowedListeners: { from: 'Selector', selector: { matchLabels: { team: 'a' }, matchExpressions: [] } } }));
    expect(state.gateways.upsertNamespace('apps', { team: 'b' })).toBe(true);
    expect(state.gateways.removeListenerSet('apps', 'ls')).toBe(true);
    expect(state.upsertSecret({ namespace: 'apps', name: 'ls-cert', type: 'kubernetes.io/tls', data: { x: Buffer.from('') } })).toBe(false);
  });

  it('indexes route → Gateway, Gateway → Secret, route → Service, and says what matters', () => {
    const state = new ClusterState();
    expect(state.gatewayApi()).toBeUndefined();
    expect(state.upsertService(service)).toBe(false);
    expect(state.gateways.upsertGateway(gateway())).toBe(true);
    expect(state.gateways.upsertRoute(route())).toBe(true);
    expect(state.gateways.routesOfGateway('ns', 'gw')).toEqual(['HTTPRoute:ns/r']);
    expect(state.gateways.gatewaysUsingSecret('ns', 'cert')).toEqual(['ns/gw']);
    expect(state.upsertService({ ...service, ports: [{ port: 80, protocol: 'TCP' }] })).toBe(true);
    expect(state.upsertSecret({ namespace: 'ns', name: 'cert', type: 'kubernetes.io/tls', data: {} })).toBe(true);
    expect(state.upsertSecret({ namespace: 'ns', name: 'other', type: 'kubernetes.io/tls', data: {} })).toBe(false);
    expect(state.gatewayApi()?.routes.map((r) => r.name)).toEqual(['r']);
  });

  it('hands later snapshots the object a status-only change replaced, so the build\'s per-object caches still hold', () => {
    const state = new ClusterState();
    const first = route();
    state.gateways.upsertRoute(first);
    state.gateways.upsertGateway(gateway());
    const statusParents = [{ parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'x/y', conditions: [condition] }];
    const echoed = route({ statusParents });
    expect(state.gateways.upsertRoute(echoed)).toBe(false);
    expect(state.gateways.upsertGateway(gateway({ conditions: [condition] }))).toBe(false);
    // Another route makes a new snapshot: the echoed route and Gateway are their first objects there.
    expect(state.gateways.upsertRoute(route({ name: 'r2' }))).toBe(true);
    const api = state.gatewayApi();
    expect(api?.routes[0]).toBe(first);
    expect(api?.gateways[0]?.conditions).toEqual([]);
    // The status writer reads the latest.
    expect(state.gateways.lookupRoute('HTTPRoute', 'ns', 'r')).toBe(echoed);
    // A spec change hands out the new object.
    const changed = route({ statusParents, hostnames: ['a.test'] });
    expect(state.gateways.upsertRoute(changed)).toBe(true);
    expect(state.gatewayApi()?.routes[0]).toBe(changed);
  });

  it('holds a status-only change without calling it relevant, and keeps the snapshot', () => {
    const state = new ClusterState();
    state.gateways.upsertRoute(route());
    const before = state.gatewayApi();
    const statusParents = [{ parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'x/y', conditions: [condition] }];
    expect(state.gateways.upsertRoute(route({ statusParents }))).toBe(false);
    state.gateways.controllerName = 'bollard.io/gateway-controller';
    const ours = [{ ...statusParents[0], controllerName: 'bollard.io/gateway-controller' }] as typeof statusParents;
    expect(state.gateways.upsertRoute(route({ statusParents: [...statusParents, ...ours] }))).toBe(true);
    expect(state.gateways.upsertRoute(route({ statusParents }))).toBe(true);
    expect(state.gateways.upsertRoute(route({ statusParents: [] }))).toBe(false);
    expect(state.gateways.lookupRoute('HTTPRoute', 'ns', 'r')?.statusParents).toEqual([]);
    expect(state.gatewayApi()).toBe(before);
    expect(state.gateways.upsertGateway(gateway({ conditions: [condition] }))).toBe(true);
    expect(state.gateways.upsertGateway(gateway({ conditions: [] }))).toBe(false);
    // The addresses a Gateway's status holds decide which it keeps (--gateway-addresses): they matter.
    expect(state.gateways.upsertGateway(gateway({ statusAddresses: ['192.0.2.1'] }))).toBe(true);
    expect(state.gateways.removeRoute('HTTPRoute', 'ns', 'r')).toBe(true);
    expect(state.gateways.routesOfGateway('ns', 'gw')).toEqual([]);
    expect(state.keys('Gateway')).toEqual(['ns/gw']);
  });

  it('namespace labels matter only while a listener selects namespaces, and a snapshot keeps the labels it was built with', () => {
    const state = new ClusterState();
    expect(state.gateways.upsertNamespace('app', { team: 'web' })).toBe(false);
    const selecting = gateway({ listeners: [{ name: 'http', port: 80, protocol: 'HTTP', certificateRefs: [], allowedFrom: 'Selector', allowedSelector: { matchLabels: { team: 'web' }, matchExpressions: [] }, allowedKinds: [] }] });
    expect(state.gateways.upsertGateway(selecting)).toBe(true);
    const before = state.gateways.snapshot();
    expect(before.namespaceLabels?.('app')).toEqual({ team: 'web' });
    expect(state.gateways.upsertNamespace('app', { team: 'web' })).toBe(false);
    expect(state.gateways.upsertNamespace('app', { team: 'data' })).toBe(true);
    expect(before.namespaceLabels?.('app')).toEqual({ team: 'web' });
    expect(state.gateways.snapshot().namespaceLabels?.('app')).toEqual({ team: 'data' });
    expect(state.gateways.removeNamespace('app')).toBe(true);
    expect(state.gateways.snapshot().namespaceLabels?.('app')).toBeUndefined();
    expect(state.gateways.keys('GatewayNamespace')).toEqual([]);
  });

  it('a ConfigMap or CA Secret matters only while a Gateway\'s frontend validation names it; a snapshot keeps its ca.crt', () => {
    const state = new ClusterState();
    const ca = (caCrt: string | undefined) => ({ namespace: 'ns', name: 'client-ca', caCrt });
    expect(state.gateways.upsertConfigMap(ca('A'))).toBe(false);
    const validating = gateway({ frontendTls: { defaultValidation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'client-ca' }], mode: 'AllowValidOnly' },
      perPort: [{ port: 8443, validation: { caCertificateRefs: [{ group: '', kind: 'Secret', name: 'ca-secret', namespace: 'certs' }], mode: 'AllowValidOnly' } }] } });
    expect(state.gateways.upsertGateway(validating)).toBe(true);
    const before = state.gateways.snapshot();
    expect(before.lookupConfigMapCa?.('ns', 'client-ca')?.caCrt).toBe('A');
    expect(state.gateways.upsertConfigMap(ca('A'))).toBe(false);
    expect(state.gateways.upsertConfigMap(ca('B'))).toBe(true);
    expect(state.gateways.upsertConfigMap({ ...ca('B'), name: 'other' })).toBe(false);
    expect(before.lookupConfigMapCa?.('ns', 'client-ca')?.caCrt).toBe('A');
    expect(state.gateways.snapshot().lookupConfigMapCa?.('ns', 'client-ca')?.caCrt).toBe('B');
    expect(state.gateways.snapshot().lookupConfigMapCa?.('ns', 'other')).toBeUndefined();
    expect(state.upsertOpaqueSecret({ namespace: 'certs', name: 'ca-secret', type: 'Opaque', data: {} })).toBe(true);
    expect(state.gateways.removeConfigMap('ns', 'client-ca')).toBe(true);
    expect(state.gateways.keys('GatewayConfigMap')).toEqual(['ns/other']);
    expect(state.gateways.removeConfigMap('ns', 'other')).toBe(false);
  });

  it('our own status write coming back is no news; another writer changing our entries is', () => {
    const state = new ClusterState();
    state.gateways.controllerName = 'bollard.io/gateway-controller';
    state.gateways.upsertRoute(route());
    const parent = (status: 'True' | 'False'): RouteParentStatus => ({
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'bollard.io/gateway-controller', conditions: [{ ...condition, status }],
    });
    const ours = [parent('True')];
    state.gateways.noteOurParents(route(), ours);
    expect(state.gateways.upsertRoute(route({ statusParents: ours }))).toBe(false);
    const changed = [parent('False')];
    expect(state.gateways.upsertRoute(route({ statusParents: changed }))).toBe(true);
    expect(state.gateways.upsertRoute(route({ statusParents: [] }))).toBe(true);
  });
});
