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
  it('ignores Services and slices no Ingress refers to, until one does', () => {
    const s = new ClusterState();
    expect(s.upsertService(service('web'))).toBe(false);
    expect(s.upsertEndpointSlice(slice('web-1', 'web', true))).toBe(false);
    expect(s.upsertIngress(ingress('front', 'web'))).toBe(true);
    expect(s.upsertEndpointSlice(slice('web-1', 'web', false))).toBe(true);
    expect(s.lookupEndpointSlices('shop', 'web').map((x) => x.endpoints[0]?.ready)).toEqual([false]);
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
