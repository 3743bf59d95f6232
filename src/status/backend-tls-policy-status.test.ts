import { describe, expect, it } from '@jest/globals';
import type { Json, KubeClient } from '../kube/client.ts';
import { toBackendTlsPolicy } from '../kube/convert-gateway.ts';
import { silentLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import { backendTlsPolicy, build, configMap, gateway, gatewayClass, httpListener, httpRoute, service, world } from '../../test/support/routing/gateway-world.ts';
import { syncGatewayStatus } from './gateway-status.ts';

const OURS = 'bollard.io/gateway-controller';
const POLICY_PATH = '/apis/gateway.networking.k8s.io/v1/namespaces/gw/backendtlspolicies/p/status';
const spec = { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'web.test' } };
const objects = [
  gatewayClass(), gateway('gw', 'edge', [httpListener()]), ...service('gw', 'web', 80, ['10.0.0.1']),
  httpRoute('gw', 'r', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }),
  configMap('gw', 'ca', {}), backendTlsPolicy('gw', 'p', spec),
];
const theirs = {
  ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'other-gw', namespace: 'gw' }, controllerName: 'example.com/other',
  conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 1, lastTransitionTime: '2020-01-01T00:00:00Z' }],
};

function recordingClient(): { client: KubeClient; patches: { path: string; body: Json }[] } {
  const patches: { path: string; body: Json }[] = [];
  return {
    patches,
    client: {
      request: (method, path, body) => { if (method === 'PATCH' && body !== undefined) patches.push({ path, body }); return Promise.resolve({}); },
      watch: () => Promise.resolve(),
    },
  };
}

const policyObject = (status: Json) => toBackendTlsPolicy({ metadata: { namespace: 'gw', name: 'p', generation: 3, creationTimestamp: '2024-01-01T00:00:00Z' }, spec, status });

describe('BackendTLSPolicy status', () => {
  it('writes our ancestor (the route\'s Gateway) beside another controller\'s, then nothing once the API holds it', async () => {
    const state = world(objects);
    state.gateways.controllerName = OURS;
    state.gateways.upsertBackendTlsPolicy(policyObject({ ancestors: [theirs] }));
    const report = build(objects).gatewayApi;
    if (report === undefined) throw new Error('no report');
    const { client, patches } = recordingClient();
    const deps = { client, log: silentLogger, metrics: createMetrics({ processMetrics: false }), controllerName: OURS, now: () => '2025-05-05T00:00:00Z' };
    await syncGatewayStatus(deps, state.gateways, report, []);
    const written = patches.find((p) => p.path === POLICY_PATH)?.body as { status: { ancestors: { controllerName: string; ancestorRef: Json; conditions: Json[] }[] } };
    expect(written.status.ancestors.map((a) => a.controllerName)).toEqual(['example.com/other', OURS]);
    expect(written.status.ancestors[1]?.ancestorRef).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gw', name: 'edge' });
    // The ConfigMap has no ca.crt: not accepted; observedGeneration is the policy's.
    expect(written.status.ancestors[1]?.conditions).toMatchObject([
      { type: 'Accepted', status: 'False', reason: 'NoValidCACertificate', observedGeneration: 3 },
      { type: 'ResolvedRefs', status: 'False', reason: 'InvalidCACertificateRef', observedGeneration: 3 },
    ]);

    // The echo of our write is no news; a later sync writes the policy no more.
    expect(state.gateways.upsertBackendTlsPolicy(policyObject(written.status))).toBe(false);
    const later = recordingClient();
    await syncGatewayStatus({ ...deps, client: later.client, now: () => '2026-01-01T00:00:00Z' }, state.gateways, report, []);
    expect(later.patches.map((p) => p.path)).not.toContain(POLICY_PATH);

    // Another writer dropping our entry matters (a rebuild writes it again).
    expect(state.gateways.upsertBackendTlsPolicy(policyObject({ ancestors: [theirs] }))).toBe(true);
  });

  it('drops our ancestors when no route of ours reaches the policy any more', async () => {
    const state = world(objects);
    state.gateways.upsertBackendTlsPolicy(policyObject({ ancestors: [{ ...theirs, controllerName: OURS }] }));
    const report = build(objects.filter((o) => o.kind !== 'HTTPRoute')).gatewayApi;
    if (report === undefined) throw new Error('no report');
    const { client, patches } = recordingClient();
    await syncGatewayStatus({ client, log: silentLogger, metrics: createMetrics({ processMetrics: false }), controllerName: OURS, now: () => '2025-05-05T00:00:00Z' }, state.gateways, report, []);
    expect(patches.find((p) => p.path === POLICY_PATH)?.body).toEqual({ status: { ancestors: [] } });
  });
});
