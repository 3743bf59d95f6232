import { describe, expect, it } from '@jest/globals';
import { ClusterState } from './cluster-state.ts';
import type { EndpointSliceObject, IngressObject, ServiceObject } from './model.ts';

const ingress = (name: string, service: string, extra: Partial<IngressObject> = {}): IngressObject => ({
  namespace: 'shop', name, uid: `uid-${name}`, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', annotations: {},
  rules: [{ host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] }],
  tls: [], statusLoadBalancer: [], ...extra,
});
const service = (name: string): ServiceObject => ({
  namespace: 'shop', name, type: 'ClusterIP', externalIPs: [], statusLoadBalancer: [],
  ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
});
const slice = (name: string, svc: string, ready: boolean): EndpointSliceObject => ({
  namespace: 'shop', name, serviceName: svc, addressType: 'IPv4', ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  endpoints: [{ addresses: ['10.0.0.1'], ready }],
});

describe('ClusterState relevance', () => {
  it('keeps Opaque Secrets apart from TLS ones; one matters once an nginx auth-secret names it', () => {
    const s = new ClusterState();
    const htpasswd = { namespace: 'shop', name: 'basic-auth', type: 'Opaque', data: { auth: Buffer.from('a:{SHA}x') } };
    expect(s.upsertOpaqueSecret(htpasswd)).toBe(false);
    expect(s.lookupOpaqueSecret('shop', 'basic-auth')).toBe(htpasswd);
    // Never read as a TLS Secret: ACME would take an Opaque one for the Ingress's existing Secret.
    expect(s.lookupSecret('shop', 'basic-auth')).toBeUndefined();
    expect(s.keys('Secret')).toEqual([]);
    expect(s.upsertIngress(ingress('front', 'web', { annotations: { 'nginx.ingress.kubernetes.io/auth-secret': 'basic-auth' } }))).toBe(true);
    expect(s.upsertOpaqueSecret({ ...htpasswd, data: { auth: Buffer.from('b:{SHA}y') } })).toBe(true);
    expect(s.removeOpaqueSecret('shop', 'basic-auth')).toBe(true);
    expect(s.lookupOpaqueSecret('shop', 'basic-auth')).toBeUndefined();
  });

  it('holds ConfigMaps; one matters once an nginx custom-headers names it, and stops mattering when the Ingress goes', () => {
    const s = new ClusterState();
    const headers = { namespace: 'shop', name: 'headers', data: { 'X-Frame-Options': 'DENY' } };
    expect(s.upsertConfigMap(headers)).toBe(false);
    expect(s.lookupConfigMap('shop', 'headers')).toBe(headers);
    expect(s.keys('ConfigMap')).toEqual(['shop/headers']);
    expect(s.upsertIngress(ingress('front', 'web', { annotations: { 'nginx.ingress.kubernetes.io/custom-headers': 'shop/headers' } }))).toBe(true);
    expect(s.upsertConfigMap({ ...headers })).toBe(false);
    expect(s.upsertConfigMap({ ...headers, data: { 'X-Frame-Options': 'SAMEORIGIN' } })).toBe(true);
    expect(s.removeConfigMap('shop', 'headers')).toBe(true);
    expect(s.upsertConfigMap(headers)).toBe(true);
    expect(s.removeIngress('shop', 'front')).toBe(true);
    expect(s.upsertConfigMap({ ...headers, data: {} })).toBe(false);
  });

  it('a ConfigMap matters while an nginx auth-proxy-set-headers names it (its name alone: the Ingress\'s namespace)', () => {
    const s = new ClusterState();
    const headers = { namespace: 'shop', name: 'auth-headers', data: { 'X-Tenant': 'shop' } };
    expect(s.upsertConfigMap(headers)).toBe(false);
    expect(s.upsertIngress(ingress('front', 'web', { annotations: { 'nginx.ingress.kubernetes.io/auth-proxy-set-headers': 'auth-headers' } }))).toBe(true);
    expect(s.upsertConfigMap({ ...headers, data: { 'X-Tenant': 'other' } })).toBe(true);
    expect(s.removeIngress('shop', 'front')).toBe(true);
    expect(s.upsertConfigMap(headers)).toBe(false);
  });

  it('ignores Services and slices no Ingress refers to, until one does', () => {
    const s = new ClusterState();
    expect(s.upsertService(service('web'))).toBe(false);
    expect(s.upsertEndpointSlice(slice('web-1', 'web', true))).toBe(false);
    expect(s.upsertIngress(ingress('front', 'web'))).toBe(true);
    expect(s.upsertEndpointSlice(slice('web-1', 'web', false))).toBe(true);
    expect(s.lookupEndpointSlices('shop', 'web').map((x) => x.endpoints[0]?.ready)).toEqual([false]);
  });

  it('a Service matters once an nginx default-backend names it', () => {
    const s = new ClusterState();
    expect(s.upsertService(service('errors'))).toBe(false);
    expect(s.upsertIngress(ingress('front', 'web', { annotations: { 'nginx.ingress.kubernetes.io/default-backend': 'errors' } }))).toBe(true);
    expect(s.upsertEndpointSlice(slice('errors-1', 'errors', true))).toBe(true);
  });

  it('treats an identical object and a status-only Ingress change as irrelevant', () => {
    const s = new ClusterState();
    expect(s.upsertIngress(ingress('front', 'web'))).toBe(true);
    expect(s.upsertIngress(ingress('front', 'web'))).toBe(false);
    expect(s.upsertIngress(ingress('front', 'web', { statusLoadBalancer: [{ ip: '192.0.2.1' }] }))).toBe(false);
    expect(s.lookupIngress('shop', 'front')?.statusLoadBalancer).toEqual([{ ip: '192.0.2.1' }]);
  });

  it('forgets the reverse reference when the Ingress moves to another Service', () => {
    const s = new ClusterState();
    s.upsertIngress(ingress('front', 'web'));
    s.upsertIngress(ingress('front', 'api'));
    expect(s.upsertService(service('web'))).toBe(false);
    expect(s.upsertService(service('api'))).toBe(true);
  });

  it('matters for a watched (published) Service even without Ingresses', () => {
    const s = new ClusterState({ watchedServices: new Set(['shop/lb']) });
    expect(s.upsertService(service('lb'))).toBe(true);
  });

  it('a Service generated for a Gateway matters (the leader repairs it) and is listed until it goes or loses its labels', () => {
    const s = new ClusterState();
    const generated = { gatewayName: 'edge', controllerName: 'bollard.io/gateway-controller', labels: {}, annotations: {}, ownerUids: ['u'] };
    expect(s.upsertService({ ...service('edge-bollard-gateway'), generated })).toBe(true);
    expect(s.upsertService({ ...service('edge-bollard-gateway'), generated })).toBe(false);
    expect(s.generatedServices().map((x) => x.name)).toEqual(['edge-bollard-gateway']);
    expect(s.upsertService(service('edge-bollard-gateway'))).toBe(true);
    expect(s.generatedServices()).toEqual([]);
    s.upsertService({ ...service('edge-bollard-gateway'), generated });
    expect(s.removeService('shop', 'edge-bollard-gateway')).toBe(true);
    expect(s.generatedServices()).toEqual([]);
  });

  it('keeps ingresses sorted and moves a slice between services', () => {
    const s = new ClusterState();
    s.upsertIngress(ingress('b', 'web'));
    s.upsertIngress(ingress('a', 'web'));
    expect(s.ingresses().map((i) => i.name)).toEqual(['a', 'b']);
    s.upsertEndpointSlice(slice('x', 'web', true));
    s.upsertEndpointSlice(slice('x', 'other', true));
    expect(s.lookupEndpointSlices('shop', 'web')).toEqual([]);
    expect(s.removeEndpointSlice('shop', 'x')).toBe(false);
  });

  it('replaceAll removes what a relist no longer has', () => {
    const s = new ClusterState();
    s.upsertIngress(ingress('a', 'web'));
    s.upsertIngress(ingress('b', 'web'));
    const changed = s.replaceAll([ingress('b', 'web')], () => s.keys('Ingress'), (i) => `${i.namespace}/${i.name}`,
      (i) => s.upsertIngress(i), (k) => s.removeIngress('shop', k.split('/')[1] ?? ''));
    expect(changed).toBe(true);
    expect(s.ingresses().map((i) => i.name)).toEqual(['b']);
  });
});

describe('ClusterState namespace selection', () => {
  const inNs = (namespace: string, name: string): IngressObject => ({ ...ingress(name, 'web'), namespace });
  const names = (s: ClusterState): string[] => s.ingresses().map((i) => `${i.namespace}/${i.name}`);

  it('selects nothing until a namespace is selected, but keeps every Ingress', () => {
    const s = new ClusterState({ selectNamespaces: true });
    expect(s.upsertIngress(inNs('shop', 'a'))).toBe(false);
    expect(s.upsertIngress(inNs('blog', 'b'))).toBe(false);
    expect(s.ingresses()).toEqual([]);
    expect(s.lookupIngress('shop', 'a')?.name).toBe('a');
    expect(s.upsertNamespace('shop')).toBe(true);
    expect(names(s)).toEqual(['shop/a']);
  });

  it('a change of the selected set matters and refreshes the list; the same set does not', () => {
    const s = new ClusterState({ selectNamespaces: true });
    s.upsertIngress(inNs('shop', 'a'));
    s.upsertIngress(inNs('blog', 'b'));
    s.upsertNamespace('shop');
    const before = s.ingresses();
    expect(s.upsertNamespace('shop')).toBe(false);
    expect(s.ingresses()).toBe(before);
    expect(s.upsertNamespace('blog')).toBe(true);
    expect(names(s)).toEqual(['blog/b', 'shop/a']);
    expect(s.removeNamespace('shop')).toBe(true);
    expect(names(s)).toEqual(['blog/b']);
    expect(s.removeNamespace('shop')).toBe(false);
  });

  it('Ingresses of selected namespaces matter, the others do not; the objects stay the same', () => {
    const s = new ClusterState({ selectNamespaces: true });
    s.upsertNamespace('shop');
    expect(s.upsertIngress(inNs('shop', 'a'))).toBe(true);
    expect(s.upsertIngress(inNs('blog', 'b'))).toBe(false);
    expect(s.removeIngress('blog', 'b')).toBe(false);
    const held = s.lookupIngress('shop', 'a');
    s.removeNamespace('shop');
    s.upsertNamespace('shop');
    expect(s.ingresses()[0]).toBe(held);
    expect(s.removeIngress('shop', 'a')).toBe(true);
    expect(s.ingresses()).toEqual([]);
  });

  it('replaceAll of the namespaces drops the ones that no longer match', () => {
    const s = new ClusterState({ selectNamespaces: true });
    s.upsertIngress(inNs('shop', 'a'));
    s.upsertIngress(inNs('blog', 'b'));
    s.upsertNamespace('shop');
    const changed = s.replaceAll(['blog'], () => s.keys('Namespace'), (n) => n, (n) => s.upsertNamespace(n), (n) => s.removeNamespace(n));
    expect(changed).toBe(true);
    expect(s.keys('Namespace')).toEqual(['blog']);
    expect(names(s)).toEqual(['blog/b']);
  });

  it('without selectNamespaces every Ingress is served', () => {
    const s = new ClusterState();
    expect(s.upsertIngress(inNs('blog', 'b'))).toBe(true);
    expect(names(s)).toEqual(['blog/b']);
  });
});
