import { describe, expect, it } from '@jest/globals';
import type { Json } from '../kube/client.ts';
import { toGateway, toHttpRoute } from '../kube/convert-gateway.ts';
import { createLogger, silentLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service, world } from '../../test/support/routing/gateway-world.ts';
import { scriptedApi } from '../../test/support/status/scripted-api.ts';
import { syncGatewayStatus } from './gateway-status.ts';

const OURS = 'bollard.io/gateway-controller';
const theirs = { parentRef: { name: 'other-gw' }, controllerName: 'example.com/other', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 1, lastTransitionTime: '2020-01-01T00:00:00Z' }] };
const routeSpec = { parentRefs: [{ name: 'edge' }, { name: 'other-gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] };
const objects = [gatewayClass(), gateway('gw', 'edge', [httpListener()]), ...service('gw', 'web', 80, ['10.0.0.1']), httpRoute('gw', 'r', routeSpec)];

const API = '/apis/gateway.networking.k8s.io/v1';
const routeRaw = (status: Json): Json => ({ metadata: { namespace: 'gw', name: 'r', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' }, spec: routeSpec, status });

/** The API holding the class, the Gateway and the route (its status as `routeStatus`). */
function apiWith(routeStatus: Json) {
  const api = scriptedApi();
  api.put(`${API}/gatewayclasses/bollard`, gatewayClass());
  api.put(`${API}/namespaces/gw/gateways/edge`, gateway('gw', 'edge', [httpListener()]));
  api.put(`${API}/namespaces/gw/httproutes/r`, routeRaw(routeStatus));
  const patches = () => api.requests.filter((r) => r.method === 'PATCH');
  return { api, patches };
}

describe('Gateway API status', () => {
  it('writes class, Gateway (addresses, listeners) and our route parent beside another controller\'s, then nothing once written', async () => {
    const state = world(objects);
    state.gateways.controllerName = OURS;
    state.gateways.upsertRoute(toHttpRoute(routeRaw({ parents: [theirs] })));
    const report = build(objects).gatewayApi;
    if (report === undefined) throw new Error('no report');
    const { api, patches } = apiWith({ parents: [theirs] });
    const deps = { client: api.client, log: silentLogger, metrics: createMetrics({ processMetrics: false }), controllerName: OURS, now: () => '2025-05-05T00:00:00Z' };
    await syncGatewayStatus(deps, state.gateways, report, [{ ip: '192.0.2.1' }]);
    const byPath = new Map(patches().map((p) => [p.path, p.body]));
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

    // Our write's echo is no news; once the API holds what was written, a later sync (another clock) writes nothing.
    expect(state.gateways.upsertRoute(toHttpRoute(routeRaw(route.status)))).toBe(false);
    state.gateways.upsertGateway(toGateway({ metadata: { namespace: 'gw', name: 'edge', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { gatewayClassName: 'bollard', listeners: [httpListener()] }, status: gw.status }));
    const later = apiWith(route.status);
    await syncGatewayStatus({ ...deps, client: later.api.client, now: () => '2026-01-01T00:00:00Z' }, state.gateways, report, [{ ip: '192.0.2.1' }]);
    expect(later.api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['PATCH /apis/gateway.networking.k8s.io/v1/gatewayclasses/bollard/status']);
  });

  it('logs one info line per sync, the objects at debug level, and nothing when nothing is written', async () => {
    const state = world(objects);
    state.gateways.controllerName = OURS;
    state.gateways.upsertRoute(toHttpRoute(routeRaw({})));
    const report = build(objects).gatewayApi;
    if (report === undefined) throw new Error('no report');
    const lines: { level: string; msg: string; objects?: number }[] = [];
    const log = createLogger('info', (line) => { lines.push(JSON.parse(line) as { level: string; msg: string }); });
    const deps = { client: apiWith({}).api.client, log, metrics: createMetrics({ processMetrics: false }), controllerName: OURS, now: () => '2025-05-05T00:00:00Z' };
    await syncGatewayStatus(deps, state.gateways, report, [{ ip: '192.0.2.1' }]);
    expect(lines.map((l) => [l.level, l.msg, l.objects])).toEqual([['info', 'gateway api status synced', 3]]);
    lines.length = 0;
    await syncGatewayStatus(deps, state.gateways, { classes: [], gateways: [], listenerSets: [], routes: [], backendTlsPolicies: [], conflicts: [] }, []);
    expect(lines).toEqual([]);
  });
});
