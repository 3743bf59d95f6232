import { describe, expect, it } from '@jest/globals';
import type { Json } from '../kube/client.ts';
import { toGateway, toListenerSet } from '../kube/convert-gateway.ts';
import { silentLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import { build, gatewayAllowing, gatewayClass, httpListener, listenerSet, world } from '../../test/support/routing/gateway-world.ts';
import { scriptedApi } from '../../test/support/status/scripted-api.ts';
import { syncGatewayStatus } from './gateway-status.ts';

const API = '/apis/gateway.networking.k8s.io/v1';
const META = { generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' };
const gw = gatewayAllowing('infra', 'gw', [httpListener({ hostname: 'gw.test' })], 'Same');
const admitted = listenerSet('infra', 'ls', 'infra/gw', [httpListener({ name: 'extra', hostname: 'extra.test' })]);
const refused = listenerSet('apps', 'far', 'infra/gw', [httpListener({ name: 'extra', hostname: 'far.test' })]);
const objects = [gatewayClass(), gw, admitted, refused];

describe('ListenerSet status', () => {
  it('writes each ListenerSet of our Gateways (conditions, listeners) and the Gateway\'s attachedListenerSets, then nothing once held', async () => {
    const state = world(objects);
    const report = build(objects).gatewayApi;
    if (report === undefined) throw new Error('no report');
    const api = scriptedApi();
    const deps = { client: api.client, log: silentLogger, metrics: createMetrics({ processMetrics: false }), controllerName: 'bollard.io/gateway-controller', now: () => '2025-05-05T00:00:00Z' };
    await syncGatewayStatus(deps, state.gateways, report, [{ ip: '192.0.2.1' }]);
    const byPath = new Map(api.requests.filter((r) => r.method === 'PATCH').map((p) => [p.path, (p.body as { status: Json }).status]));
    const ls = byPath.get(`${API}/namespaces/infra/listenersets/ls/status`);
    expect(ls).toMatchObject({
      conditions: [{ type: 'Accepted', status: 'True', observedGeneration: 1 }, { type: 'Programmed', status: 'True' }],
      listeners: [{ name: 'extra', attachedRoutes: 0, supportedKinds: [{ kind: 'HTTPRoute' }, { kind: 'GRPCRoute' }], conditions: [{ type: 'Accepted', status: 'True' }, {}, {}, {}] }],
    });
    expect(byPath.get(`${API}/namespaces/apps/listenersets/far/status`)).toMatchObject({ conditions: [{ reason: 'NotAllowed' }, { reason: 'NotAllowed' }], listeners: [] });
    const gateway = byPath.get(`${API}/namespaces/infra/gateways/gw/status`);
    expect(gateway).toMatchObject({ attachedListenerSets: 1, listeners: [{ name: 'http' }] });

    // The echoes come back through the watch: a later sync writes none of them again.
    for (const [raw, path] of [[admitted, 'infra/listenersets/ls'], [refused, 'apps/listenersets/far']] as const) {
      state.gateways.upsertListenerSet(toListenerSet({ ...raw, metadata: { ...(raw.metadata as Json), ...META }, status: byPath.get(`${API}/namespaces/${path}/status`) }));
    }
    state.gateways.upsertGateway(toGateway({ ...gw, metadata: { ...(gw.metadata as Json), ...META }, status: gateway }));
    const later = scriptedApi();
    await syncGatewayStatus({ ...deps, client: later.client, now: () => '2026-01-01T00:00:00Z' }, state.gateways, report, [{ ip: '192.0.2.1' }]);
    expect(later.requests.map((r) => r.path)).toEqual([`${API}/gatewayclasses/bollard/status`]);
  });
});
