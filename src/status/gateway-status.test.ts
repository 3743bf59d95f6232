import { describe, expect, it } from '@jest/globals';
import type { Json, KubeClient } from '../kube/client.ts';
import { toGateway, toHttpRoute } from '../kube/convert-gateway.ts';
import { silentLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service, world } from '../../test/support/routing/gateway-world.ts';
import { syncGatewayStatus } from './gateway-status.ts';

const OURS = 'bollard.io/gateway-controller';
const theirs = { parentRef: { name: 'other-gw' }, controllerName: 'example.com/other', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 1, lastTransitionTime: '2020-01-01T00:00:00Z' }] };
const objects = [
  gatewayClass(), gateway('gw', 'edge', [httpListener()]), ...service('gw', 'web', 80, ['10.0.0.1']),
  httpRoute('gw', 'r', { parentRefs: [{ name: 'edge' }, { name: 'other-gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }),
];

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

describe('Gateway API status', () => {
  it('writes class, Gateway (addresses, listeners) and our route parent beside another controller\'s, then nothing once written', async () => {
    const state = world(objects);
    state.gateways.upsertRoute(toHttpRoute({ metadata: { namespace: 'gw', name: 'r', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { parentRefs: [{ name: 'edge' }, { name: 'other-gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }, status: { parents: [theirs] } }));
    const report = build(objects).gatewayApi;
    if (report === undefined) throw new Error('no report');
    const { client, patches } = recordingClient();
    const deps = { client, log: silentLogger, metrics: createMetrics({ processMetrics: false }), controllerName: OURS, now: () => '2025-05-05T00:00:00Z' };
    await syncGatewayStatus(deps, state.gateways, report, [{ ip: '192.0.2.1' }]);
    const byPath = new Map(patches.map((p) => [p.path, p.body]));
    expect([...byPath.keys()].sort()).toEqual([
      '/apis/gateway.networking.k8s.io/v1/gatewayclasses/bollard/status',
      '/apis/gateway.networking.k8s.io/v1/namespaces/gw/gateways/edge/status',
      '/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes/r/status',
    ]);
    const gw = byPath.get('/apis/gateway.networking.k8s.io/v1/namespaces/gw/gateways/edge/status') as { status: Json };
    expect(gw.status.addresses).toEqual([{ type: 'IPAddress', value: '192.0.2.1' }]);
    expect(gw.status.listeners).toMatchObject([{ name: 'http', attachedRoutes: 1 }]);
    const route = byPath.get('/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes/r/status') as { status: { parents: { controllerName: string; conditions: { type: string; lastTransitionTime: string }[] }[] } };
    expect(route.status.parents.map((p) => p.controllerName)).toEqual(['example.com/other', OURS]);
    expect(route.status.parents[1]?.conditions.map((c) => [c.type, c.lastTransitionTime])).toEqual([['Accepted', '2025-05-05T00:00:00Z'], ['ResolvedRefs', '2025-05-05T00:00:00Z']]);

    // Once the API holds what was written, a later sync (another clock) writes nothing.
    state.gateways.upsertRoute(toHttpRoute({ metadata: { namespace: 'gw', name: 'r', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { parentRefs: [{ name: 'edge' }, { name: 'other-gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }, status: route.status }));
    state.gateways.upsertGateway(toGateway({ metadata: { namespace: 'gw', name: 'edge', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { gatewayClassName: 'bollard', listeners: [httpListener()] }, status: gw.status }));
    const later = recordingClient();
    await syncGatewayStatus({ ...deps, client: later.client, now: () => '2026-01-01T00:00:00Z' }, state.gateways, report, [{ ip: '192.0.2.1' }]);
    expect(later.patches.map((p) => p.path)).toEqual(['/apis/gateway.networking.k8s.io/v1/gatewayclasses/bollard/status']);
  });
});
