import { describe, expect, it } from '@jest/globals';
import type { Json } from '../kube/client.ts';
import { toBackendTlsPolicy } from '../kube/convert-gateway.ts';
import { backendTlsPolicy, gateway, httpListener, world } from '../../test/support/routing/gateway-world.ts';

const spec = { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'web.test' } };
const policyObject = () => toBackendTlsPolicy({ ...backendTlsPolicy('gw', 'p', spec), metadata: { namespace: 'gw', name: 'p', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' } });

describe('BackendTLSPolicy and ConfigMaps in the store', () => {
  it('a ConfigMap matters only while a policy names it', () => {
    const state = world([]);
    const ca = (caCrt: string | undefined) => ({ namespace: 'gw', name: 'ca', caCrt });
    expect(state.gateways.upsertConfigMap(ca('one'))).toBe(false);
    expect(state.gateways.upsertBackendTlsPolicy(policyObject())).toBe(true);
    expect(state.gateways.snapshot().lookupConfigMapCa?.('gw', 'ca')?.caCrt).toBe('one');
    expect(state.gateways.upsertConfigMap(ca('one'))).toBe(false);
    expect(state.gateways.upsertConfigMap(ca('two'))).toBe(true);
    expect(state.gateways.snapshot().lookupConfigMapCa?.('gw', 'ca')?.caCrt).toBe('two');
    expect(state.gateways.upsertConfigMap({ namespace: 'gw', name: 'unrelated', caCrt: 'x' })).toBe(false);
    expect(state.gateways.removeConfigMap('gw', 'ca')).toBe(true);
    expect(state.gateways.snapshot().lookupConfigMapCa?.('gw', 'ca')).toBeUndefined();
    expect(state.gateways.removeBackendTlsPolicy('gw', 'p')).toBe(true);
    expect(state.gateways.upsertConfigMap(ca('three'))).toBe(false);
  });

  it('a Gateway\'s backend client certificate Secret matters', () => {
    const withClient = gateway('gw', 'edge', [httpListener()]);
    const state = world([{ ...withClient, spec: { ...(withClient.spec as Json), tls: { backend: { clientCertificateRef: { name: 'client' } } } } }]);
    expect(state.upsertSecret({ namespace: 'gw', name: 'client', type: 'kubernetes.io/tls', data: {} })).toBe(true);
  });
});
