import { describe, expect, it } from '@jest/globals';
import type { Counter } from 'prom-client';
import type { Json } from '../kube/client.ts';
import { KubeApiError } from '../kube/client.ts';
import { toGrpcRoute, toHttpRoute } from '../kube/convert-gateway.ts';
import { silentLogger } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import type { GatewayApiReport } from '../routing/gateway/report.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service, world } from '../../test/support/routing/gateway-world.ts';
import { scriptedApi } from '../../test/support/status/scripted-api.ts';
import { routeStatusWrites, type RouteAgreements } from './route-status.ts';
import { allBounded } from './bounded.ts';
import { CONFLICT_ATTEMPTS } from './shared-list-write.ts';

const OURS = 'bollard.io/gateway-controller';
const ROUTE = '/apis/gateway.networking.k8s.io/v1/namespaces/gw/httproutes/r';
const spec = { parentRefs: [{ name: 'edge' }, { name: 'other-gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] };
const meta = { namespace: 'gw', name: 'r', uid: 'uid-r', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' };
const objects = [gatewayClass(), gateway('gw', 'edge', [httpListener()]), ...service('gw', 'web', 80, ['10.0.0.1']), httpRoute('gw', 'r', spec, { uid: 'uid-r' })];
// Another controller's entries, with what our model does not keep: an unknown field, a condition
// without a reason, a parentRef with no group or kind. They must go back exactly as read.
const theirs = (name: string): Json => ({
  parentRef: { name }, controllerName: 'example.com/other', 'x-extra': { keep: [1, 2] },
  conditions: [{ type: 'Accepted', status: 'True', message: name, observedGeneration: 1, lastTransitionTime: '2020-01-01T00:00:00Z' }],
});
const rawRoute = (parents: Json[]): Json => ({ kind: 'HTTPRoute', metadata: meta, spec, status: { parents } });

function setup(held: Json[] = [theirs('other-gw')], inApi: Json[] = held) {
  const state = world(objects);
  state.gateways.controllerName = OURS;
  state.gateways.upsertRoute(toHttpRoute(rawRoute(held)));
  const api = scriptedApi();
  api.put(ROUTE, rawRoute(inApi));
  const waits: number[] = [];
  const metrics = createMetrics({ processMetrics: false });
  const deps = { client: api.client, log: silentLogger, metrics, controllerName: OURS, wait: (ms: number) => { waits.push(ms); return Promise.resolve(); } };
  const report = build(objects).gatewayApi as GatewayApiReport;
  const sync = () => allBounded(routeStatusWrites(deps, state.gateways, report.routes, '2025-05-05T00:00:00Z'));
  const echo = () => state.gateways.upsertRoute(toHttpRoute(api.object(ROUTE) ?? {}));
  return { state, api, waits, metrics, sync, echo };
}

const parentsOf = (o: Json | undefined) => ((o?.status as Json).parents as Json[]);
const owners = (o: Json | undefined) => parentsOf(o).map((p) => p.controllerName);
async function count(counter: Counter, labels: Record<string, string>): Promise<number> {
  return (await counter.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}

describe('route status.parents', () => {
  it('reads the route, keeps other controllers\' entries exactly as read, and writes ours after them at the version read', async () => {
    const { api, sync, echo } = setup();
    await sync();
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${ROUTE}`, `PATCH ${ROUTE}/status`]);
    const body = api.requests[1]?.body as { metadata: Json; status: { parents: Json[] } };
    expect(body.metadata).toEqual({ resourceVersion: '101' });
    expect(body.status.parents[0]).toEqual(theirs('other-gw'));
    expect(body.status.parents[1]).toMatchObject({ controllerName: OURS, parentRef: { name: 'edge', kind: 'Gateway' } });
    // Our own write, coming back through the watch, is no news (no rebuild).
    expect(echo()).toBe(false);
  });

  it('reads again and writes again when another writer lands between our read and our write (409), keeping both entries', async () => {
    const { api, waits, metrics, sync, echo } = setup();
    api.before('PATCH', `${ROUTE}/status`, () => {
      api.patch(ROUTE, { status: { parents: [...parentsOf(api.object(ROUTE)), theirs('third-gw')] } });
    });
    await sync();
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET', 'PATCH']);
    expect((api.requests[3]?.body?.metadata as Json).resourceVersion).toBe('102');
    expect(parentsOf(api.object(ROUTE)).slice(0, 2)).toEqual([theirs('other-gw'), theirs('third-gw')]);
    expect(owners(api.object(ROUTE))).toEqual(['example.com/other', 'example.com/other', OURS]);
    expect(await count(metrics.statusWriteConflicts, { kind: 'HTTPRoute' })).toBe(1);
    expect(await count(metrics.statusWrites, { result: 'success' })).toBe(1);
    expect(waits).toHaveLength(1);
    expect(echo()).toBe(false);
  });

  it('gives up after a bounded number of conflicts, backing off longer each time, and counts each', async () => {
    const { api, waits, metrics, sync } = setup();
    let n = 0;
    api.before('PATCH', `${ROUTE}/status`, () => { api.patch(ROUTE, { status: { parents: [theirs(`gw-${++n}`)] } }); }, Infinity);
    await sync();
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(CONFLICT_ATTEMPTS);
    expect(owners(api.object(ROUTE))).toEqual(['example.com/other']);
    expect(await count(metrics.statusWriteConflicts, { kind: 'HTTPRoute' })).toBe(CONFLICT_ATTEMPTS);
    expect(await count(metrics.statusWrites, { result: 'error' })).toBe(1);
    expect(waits).toHaveLength(CONFLICT_ATTEMPTS - 1);
    expect(waits[3]).toBeGreaterThan(waits[0] ?? Infinity);
  });

  it('writes nothing when the read shows our entries already there (the informer was behind), and their echo is no news', async () => {
    const first = setup();
    await first.sync();
    const written = parentsOf(first.api.object(ROUTE));
    const { api, sync, echo } = setup([theirs('other-gw')], written);
    await sync();
    expect(api.requests.map((r) => r.method)).toEqual(['GET']);
    expect(echo()).toBe(false);
  });

  it('writes nothing to a route that is gone or was re-created under the same name', async () => {
    const gone = setup();
    gone.api.before('GET', ROUTE, () => { throw new KubeApiError(404, 'NotFound', 'gone'); });
    await gone.sync();
    expect(gone.api.requests.map((r) => r.method)).toEqual(['GET']);
    expect(await count(gone.metrics.statusWrites, { result: 'error' })).toBe(0);

    const recreated = setup();
    recreated.api.put(ROUTE, { ...rawRoute([]), metadata: { ...meta, uid: 'uid-new' } });
    await recreated.sync();
    expect(recreated.api.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('labels conflicts of a GRPCRoute with its kind', async () => {
    const grpcSpec = { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] };
    const grpc = { kind: 'GRPCRoute', metadata: { ...meta, name: 'g' }, spec: grpcSpec };
    const path = '/apis/gateway.networking.k8s.io/v1/namespaces/gw/grpcroutes/g';
    const all = [...objects.filter((o) => o.kind !== 'HTTPRoute'), grpc];
    const state = world(all);
    state.gateways.controllerName = OURS;
    state.gateways.upsertRoute(toGrpcRoute(grpc));
    const api = scriptedApi();
    api.put(path, grpc);
    api.before('PATCH', `${path}/status`, () => { api.patch(path, { status: { parents: [theirs('other-gw')] } }); });
    const metrics = createMetrics({ processMetrics: false });
    const report = build(all).gatewayApi as GatewayApiReport;
    await allBounded(routeStatusWrites({ client: api.client, log: silentLogger, metrics, controllerName: OURS, wait: () => Promise.resolve() }, state.gateways, report.routes, '2025-05-05T00:00:00Z'));
    expect(owners(api.object(path))).toEqual(['example.com/other', OURS]);
    expect(await count(metrics.statusWriteConflicts, { kind: 'GRPCRoute' })).toBe(1);
  });

  it('with agreements kept between syncs, skips a route whose object and report it found in agreement, and compares again when either changes', async () => {
    const { state, api, metrics, echo } = setup();
    const agreed: RouteAgreements = new WeakMap();
    const deps = { client: api.client, log: silentLogger, metrics, controllerName: OURS, wait: () => Promise.resolve() };
    const report = build(objects).gatewayApi as GatewayApiReport;
    const sync = (reports = report.routes) => allBounded(routeStatusWrites(deps, state.gateways, reports, '2025-05-05T00:00:00Z', agreed));
    const held = () => state.gateways.lookupRoute('HTTPRoute', 'gw', 'r');
    await sync();
    echo();
    const echoed = held();
    await sync();
    expect(echoed !== undefined && agreed.get(echoed)).toBe(report.routes[0]);
    api.requests.length = 0;
    // Another writer drops our entry: a new object, compared and written again.
    api.patch(ROUTE, { status: { parents: [theirs('other-gw')] } });
    echo();
    await sync();
    // Written against the informer's current copy (no read); the other controller's entry kept.
    expect(api.requests.map((r) => r.method)).toEqual(['PATCH']);
    expect(owners(api.object(ROUTE))).toEqual(['example.com/other', OURS]);
    // A new report for the same object is compared too (here it says the same: nothing written).
    echo();
    api.requests.length = 0;
    const rebuilt = build(objects).gatewayApi as GatewayApiReport;
    await sync(rebuilt.routes);
    expect(api.requests).toEqual([]);
    const latest = held();
    expect(latest !== undefined && agreed.get(latest)).toBe(rebuilt.routes[0]);
  });
});
