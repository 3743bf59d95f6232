import { describe, expect, it } from '@jest/globals';
import type { Json } from '../kube/client.ts';
import { toBackendTlsPolicy } from '../kube/convert-gateway.ts';
import { silentLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import { backendTlsPolicy, build, configMap, gateway, gatewayClass, httpListener, httpRoute, service, world } from '../../test/support/routing/gateway-world.ts';
import { scriptedApi } from '../../test/support/status/scripted-api.ts';
import { syncGatewayStatus } from './gateway-status.ts';

const OURS = 'bollard.io/gateway-controller';
const POLICY_PATH = '/apis/gateway.networking.k8s.io/v1/namespaces/gw/backendtlspolicies/p/status';
const spec = { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'web.test' } };
const objects = [
  gatewayClass(), gateway('gw', 'edge', [httpListener()]), ...service('gw', 'web', 80, ['10.0.0.1']),
  httpRoute('gw', 'r', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }),
  configMap('gw', 'ca', {}), backendTlsPolicy('gw', 'p', spec, { generation: 3 }),
];
const theirs = {
  ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'other-gw', namespace: 'gw' }, controllerName: 'example.com/other',
  conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 1, lastTransitionTime: '2020-01-01T00:00:00Z' }],
};

const policyRaw = (status: Json): Json => ({ metadata: { namespace: 'gw', name: 'p', generation: 3, creationTimestamp: '2024-01-01T00:00:00Z' }, spec, status });
const policyObject = (status: Json) => toBackendTlsPolicy(policyRaw(status));
const POLICY = POLICY_PATH.slice(0, -'/status'.length);

/** The API holding the policy (and the class, Gateway and route, whose writes these tests skip over). */
function apiWith(status: Json) {
  const api = scriptedApi();
  api.put(POLICY, policyRaw(status));
  const patchOf = () => api.requests.find((r) => r.method === 'PATCH' && r.path === POLICY_PATH)?.body;
  return { api, patchOf };
}

function setup(held: Json, inApi: Json = held, all = objects) {
  const state = world(all);
  state.gateways.controllerName = OURS;
  state.gateways.upsertBackendTlsPolicy(policyObject(held));
  const report = build(all).gatewayApi;
  if (report === undefined) throw new Error('no report');
  const metrics = createMetrics({ processMetrics: false });
  const { api, patchOf } = apiWith(inApi);
  const deps = { client: api.client, log: silentLogger, metrics, controllerName: OURS, now: () => '2025-05-05T00:00:00Z', wait: () => Promise.resolve() };
  return { state, report, metrics, api, patchOf, deps, sync: () => syncGatewayStatus(deps, state.gateways, report, []) };
}

describe('BackendTLSPolicy status', () => {
  it('writes our ancestor (the route\'s Gateway) beside another controller\'s, then nothing once the API holds it', async () => {
    const { state, report, deps, sync, patchOf } = setup({ ancestors: [theirs] });
    await sync();
    const written = patchOf() as { status: { ancestors: { controllerName: string; ancestorRef: Json; conditions: Json[] }[] } };
    expect(written.status.ancestors.map((a) => a.controllerName)).toEqual(['example.com/other', OURS]);
    expect(written.status.ancestors[1]?.ancestorRef).toEqual({ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gw', name: 'edge' });
    // The ConfigMap has no ca.crt: not accepted; observedGeneration is the policy's.
    expect(written.status.ancestors[1]?.conditions).toMatchObject([
      { type: 'Accepted', status: 'False', reason: 'NoValidCACertificate', observedGeneration: 3 },
      { type: 'ResolvedRefs', status: 'False', reason: 'InvalidCACertificateRef', observedGeneration: 3 },
    ]);

    // The echo of our write is no news; a later sync writes the policy no more.
    expect(state.gateways.upsertBackendTlsPolicy(policyObject(written.status))).toBe(false);
    const later = apiWith(written.status);
    await syncGatewayStatus({ ...deps, client: later.api.client, now: () => '2026-01-01T00:00:00Z' }, state.gateways, report, []);
    expect(later.api.requests.map((r) => r.path)).not.toContain(POLICY);

    // Another writer dropping our entry matters (a rebuild writes it again).
    expect(state.gateways.upsertBackendTlsPolicy(policyObject({ ancestors: [theirs] }))).toBe(true);
  });

  it('drops our ancestors when no route of ours reaches the policy any more', async () => {
    const { sync, patchOf } = setup({ ancestors: [{ ...theirs, controllerName: OURS }] }, undefined, objects.filter((o) => o.kind !== 'HTTPRoute'));
    await sync();
    expect(patchOf()).toEqual({ metadata: { resourceVersion: '101' }, status: { ancestors: [] } });
  });

  it('on a conflict reads again: another writer\'s ancestors kept, ours cut to the room the fresh read leaves of 16', async () => {
    const { api, sync, metrics } = setup({ ancestors: [theirs] });
    const many = Array.from({ length: 15 }, (_, i) => ({ ...theirs, ancestorRef: { ...theirs.ancestorRef, name: `gw-${i}` } }));
    api.before('PATCH', POLICY_PATH, () => { api.patch(POLICY, { status: { ancestors: many } }); });
    await sync();
    const ancestors = (api.object(POLICY)?.status as { ancestors: { controllerName: string; ancestorRef: { name: string } }[] }).ancestors;
    expect(ancestors).toHaveLength(16);
    expect(ancestors.slice(0, 15)).toEqual(many);
    expect(ancestors[15]?.controllerName).toBe(OURS);
    expect((await metrics.statusWriteConflicts.get()).values).toEqual([{ labels: { kind: 'BackendTLSPolicy' }, value: 1 }]);
  });
});
