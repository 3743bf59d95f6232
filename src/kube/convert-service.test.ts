import { describe, expect, it } from '@jest/globals';
import { toService } from './convert.ts';

const svc = (labels: Record<string, string>) => ({
  metadata: { namespace: 'gw', name: 'edge-bollard-gateway', labels, annotations: { 'bollard.io/gateway-controller': 'bollard.io/gateway-controller', key1: 'v' }, ownerReferences: [{ kind: 'Gateway', uid: 'u1' }] },
  spec: { type: 'ExternalName', externalName: 'bollard.ingress.svc.cluster.local' },
});

describe('Service conversion', () => {
  it('keeps labels, annotations and owners only of a Service Bollard generated for a Gateway', () => {
    const ours = toService(svc({ 'app.kubernetes.io/managed-by': 'bollard', 'gateway.networking.k8s.io/gateway-name': 'edge', key2: 'w' }));
    expect(ours.generated).toEqual({
      gatewayName: 'edge', controllerName: 'bollard.io/gateway-controller', ownerUids: ['u1'],
      labels: { 'app.kubernetes.io/managed-by': 'bollard', 'gateway.networking.k8s.io/gateway-name': 'edge', key2: 'w' },
      annotations: { 'bollard.io/gateway-controller': 'bollard.io/gateway-controller', key1: 'v' },
    });
    expect(ours.externalName).toBe('bollard.ingress.svc.cluster.local');
    expect(toService(svc({ 'gateway.networking.k8s.io/gateway-name': 'edge' })).generated).toBeUndefined();
    expect(toService(svc({ 'app.kubernetes.io/managed-by': 'bollard' })).generated).toBeUndefined();
  });
});
