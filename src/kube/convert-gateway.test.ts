import { describe, expect, it } from '@jest/globals';
import { toBackendTlsPolicy, toConfigMapCa, toGateway, toHttpRoute, toGrpcRoute, toListenerSet, toReferenceGrant } from './convert-gateway.ts';

describe('Gateway API conversion', () => {
  it('reads a ListenerSet (parentRef defaults, listeners as a Gateway\'s, status) and a Gateway\'s allowedListeners', () => {
    const ls = toListenerSet({
      metadata: { namespace: 'apps', name: 'ls', generation: 3, creationTimestamp: '2024-02-02T00:00:00Z' },
      spec: { parentRef: { name: 'gw', namespace: 'infra' }, listeners: [{ name: 'a', port: 80, protocol: 'HTTP', hostname: 'A.test' }] },
      status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }], listeners: [{ name: 'a', attachedRoutes: 2, conditions: [] }] },
    });
    expect(ls).toMatchObject({
      namespace: 'apps', name: 'ls', generation: 3, parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'infra' },
      listeners: [{ name: 'a', port: 80, protocol: 'HTTP', hostname: 'a.test', allowedFrom: 'Same' }],
      conditions: [{ type: 'Accepted', status: 'True' }], listenerStatus: [{ name: 'a', attachedRoutes: 2 }],
    });
    const gw = (allowedListeners: unknown, status = {}) => toGateway({ metadata: { namespace: 'infra', name: 'gw' }, spec: { gatewayClassName: 'c', listeners: [], allowedListeners }, status });
    expect(gw(undefined).allowedListeners).toBeUndefined();
    expect(gw({ namespaces: {} }).allowedListeners).toEqual({ from: 'None' });
    expect(gw({ namespaces: { from: 'Selector', selector: { matchLabels: { team: 'a' } } } }, { attachedListenerSets: 2 })).toMatchObject({
      allowedListeners: { from: 'Selector', selector: { matchLabels: { team: 'a' }, matchExpressions: [] } }, attachedListenerSets: 2,
    });
  });

  it('applies the spec defaults a Gateway leaves out', () => {
    const gw = toGateway({
      metadata: { namespace: 'ns', name: 'gw', generation: 2 },
      spec: {
        gatewayClassName: 'bollard',
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP' },
          { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'Shop.Example.com', tls: { certificateRefs: [{ name: 'cert', namespace: 'certs' }] },
            allowedRoutes: { namespaces: { from: 'All' }, kinds: [{ kind: 'HTTPRoute' }] } },
        ],
      },
    });
    expect(gw.listeners[0]).toEqual({ name: 'http', port: 80, protocol: 'HTTP', certificateRefs: [], allowedFrom: 'Same', allowedKinds: [] });
    expect(gw.listeners[1]).toMatchObject({
      hostname: 'shop.example.com', tlsMode: 'Terminate',
      certificateRefs: [{ group: '', kind: 'Secret', name: 'cert', namespace: 'certs' }],
      allowedFrom: 'All', allowedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
    });
  });

  it('reads spec.tls.frontend: default and per-port validation, mode defaulting to AllowValidOnly, refs without a kind default', () => {
    const gw = toGateway({
      metadata: { namespace: 'ns', name: 'gw' },
      spec: {
        gatewayClassName: 'bollard', listeners: [],
        tls: { frontend: {
          default: { validation: { caCertificateRefs: [{ kind: 'ConfigMap', group: '', name: 'ca' }] } },
          perPort: [{ port: 8443, tls: { validation: { caCertificateRefs: [{ name: 'x', namespace: 'other' }], mode: 'AllowInsecureFallback' } } }, { port: 9443, tls: {} }],
        } },
      },
    });
    expect(gw.frontendTls).toEqual({
      defaultValidation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], mode: 'AllowValidOnly' },
      perPort: [
        { port: 8443, validation: { caCertificateRefs: [{ group: '', kind: '', name: 'x', namespace: 'other' }], mode: 'AllowInsecureFallback' } },
        { port: 9443 },
      ],
    });
    expect(toGateway({ metadata: { namespace: 'ns', name: 'gw' }, spec: { listeners: [] } }).frontendTls).toBeUndefined();
    expect(toConfigMapCa({ metadata: { namespace: 'ns', name: 'ca' }, data: { 'ca.crt': 'PEM', other: 'x' } })).toEqual({ namespace: 'ns', name: 'ca', caCrt: 'PEM' });
    expect(toConfigMapCa({ metadata: { namespace: 'ns', name: 'ca' } }).caCrt).toBeUndefined();
  });

  it('reads spec.infrastructure: labels, annotations and parametersRef; absent when unset', () => {
    const gw = toGateway({ metadata: { namespace: 'ns', name: 'gw' }, spec: { listeners: [], infrastructure: {
      labels: { key2: 'value2', junk: 1 }, annotations: { key1: 'value1' }, parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' },
    } } });
    expect(gw.infrastructure).toEqual({ labels: { key2: 'value2' }, annotations: { key1: 'value1' }, parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' } });
    expect(toGateway({ metadata: { namespace: 'ns', name: 'gw' }, spec: { listeners: [], infrastructure: { labels: { a: 'b' } } } }).infrastructure).toEqual({ labels: { a: 'b' }, annotations: {} });
    expect(toGateway({ metadata: { namespace: 'ns', name: 'gw' }, spec: { listeners: [] } }).infrastructure).toBeUndefined();
  });

  it('reads an HTTPRoute: default match and weight, filters, status parents of other controllers', () => {
    const route = toHttpRoute({
      metadata: { namespace: 'ns', name: 'r' },
      spec: {
        parentRefs: [{ name: 'gw', sectionName: 'http' }],
        hostnames: ['A.example.com'],
        rules: [
          { backendRefs: [{ name: 'web', port: 80 }] },
          {
            matches: [{ path: { type: 'Exact', value: '/x' }, headers: [{ name: 'v', value: '1' }], method: 'GET' }],
            filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'X-A', value: 'b' }], remove: ['X-C'] } }],
            backendRefs: [{ name: 'api', port: 8080, weight: 0 }],
            timeouts: { request: '5s' },
          },
        ],
      },
      status: { parents: [{ parentRef: { name: 'other' }, controllerName: 'example.com/x', conditions: [{ type: 'Accepted', status: 'True' }] }] },
    });
    expect(route.hostnames).toEqual(['a.example.com']);
    expect(route.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', sectionName: 'http' }]);
    expect(route.rules[0]?.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }]);
    expect(route.rules[0]?.backendRefs[0]).toMatchObject({ kind: 'Service', name: 'web', port: 80, weight: 1 });
    expect(route.rules[1]?.matches[0]).toMatchObject({ method: 'GET', headers: [{ type: 'Exact', name: 'v', value: '1' }] });
    expect(route.rules[1]?.filters[0]?.requestHeaderModifier).toEqual({ set: [], add: [['x-a', 'b']], remove: ['x-c'] });
    expect(route.rules[1]?.backendRefs[0]?.weight).toBe(0);
    expect(route.rules[1]?.timeouts).toEqual({ request: '5s' });
    expect(route.statusParents[0]?.controllerName).toBe('example.com/x');
  });

  it('reads a GRPCRoute method match and a ReferenceGrant; junk reads as empty', () => {
    const grpc = toGrpcRoute({ metadata: { namespace: 'ns', name: 'g' }, spec: { rules: [{ matches: [{ method: { service: 'a.B', method: 'C' } }] }] } });
    expect(grpc.rules[0]?.matches[0]?.method).toEqual({ type: 'Exact', service: 'a.B', method: 'C' });
    const grant = toReferenceGrant({ metadata: { namespace: 'b', name: 'g' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'a' }], to: [{ group: '', kind: 'Service' }] } });
    expect(grant.to).toEqual([{ group: '', kind: 'Service' }]);
    expect(toHttpRoute({ spec: { rules: 'junk', parentRefs: [7] } })).toMatchObject({ rules: [], parentRefs: [{ name: '' }] });
  });

  it('reads a BackendTLSPolicy, a Gateway\'s backend client certificate and only a ConfigMap\'s ca.crt', () => {
    const policy = toBackendTlsPolicy({
      metadata: { namespace: 'ns', name: 'p', generation: 4, creationTimestamp: '2024-01-01T00:00:00Z' },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'web', sectionName: 'https' }, { group: '', kind: 'Service', name: 'api' }],
        validation: {
          caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'Web.Example.com',
          subjectAltNames: [{ type: 'Hostname', hostname: 'A.example.com' }, { type: 'URI', uri: 'spiffe://x/Y' }],
        },
      },
      status: { ancestors: [{ ancestorRef: { name: 'gw' }, controllerName: 'example.com/other', conditions: [] }] },
    });
    expect(policy).toMatchObject({
      generation: 4, hostname: 'web.example.com',
      targetRefs: [{ group: '', kind: 'Service', name: 'web', sectionName: 'https' }, { group: '', kind: 'Service', name: 'api' }],
      caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }],
      subjectAltNames: [{ type: 'Hostname', value: 'a.example.com' }, { type: 'URI', value: 'spiffe://x/Y' }],
      statusAncestors: [{ ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'example.com/other' }],
    });
    expect(policy.wellKnownCACertificates).toBeUndefined();
    const gw = toGateway({ metadata: { namespace: 'ns', name: 'gw' }, spec: { tls: { backend: { clientCertificateRef: { name: 'client' } } } } });
    expect(gw.backendClientCertificateRef).toEqual({ group: '', kind: 'Secret', name: 'client' });
    expect(toConfigMapCa({ metadata: { namespace: 'ns', name: 'ca' }, data: { 'ca.crt': 'PEM', other: 'x'.repeat(100) } })).toEqual({ namespace: 'ns', name: 'ca', caCrt: 'PEM' });
  });
});
