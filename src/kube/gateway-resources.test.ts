import { describe, expect, it } from '@jest/globals';
import { gatewayResourcesServed } from './gateway-resources.ts';

describe('gatewayResourcesServed', () => {
  const core = ['gatewayclasses', 'gateways', 'httproutes'];
  it('watches BackendTLSPolicies, and ConfigMaps for their CA bundles, only when the cluster serves them', () => {
    expect(gatewayResourcesServed(new Set(core)).map((r) => r.kind)).toEqual(['GatewayClass', 'Gateway', 'HTTPRoute', 'GatewayNamespace']);
    expect(gatewayResourcesServed(new Set([...core, 'backendtlspolicies'])).map((r) => r.kind))
      .toEqual(['GatewayClass', 'Gateway', 'HTTPRoute', 'BackendTLSPolicy', 'GatewayNamespace']);
    expect(gatewayResourcesServed(new Set(['backendtlspolicies']))).toEqual([]);
  });

  it('watches ListenerSets when the cluster serves them', () => {
    expect(gatewayResourcesServed(new Set([...core, 'listenersets'])).map((r) => r.kind))
      .toEqual(['GatewayClass', 'Gateway', 'ListenerSet', 'HTTPRoute', 'GatewayNamespace']);
  });
});
