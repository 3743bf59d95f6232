import { describe, expect, it } from '@jest/globals';
import type { Json } from '../kube/client.ts';
import { toService } from '../kube/convert.ts';
import { toGateway } from '../kube/convert-gateway.ts';
import { createLogger, silentLogger } from '../log/logger.ts';
import type { ClusterState } from '../snapshot/cluster-state.ts';
import { build, gateway, gatewayClass, httpListener, world } from '../../test/support/routing/gateway-world.ts';
import { scriptedApi, type ScriptedApi } from '../../test/support/status/scripted-api.ts';
import { createEventRecorder } from '../kube/events.ts';
import { createMetrics } from '../metrics/registry.ts';
import { gatewayServiceName, syncGatewayServices, type GatewayServiceDeps } from './gateway-services.ts';

const OURS = 'bollard.io/gateway-controller';
const SERVICES = '/api/v1/namespaces/gw/services';
const PATH = `${SERVICES}/edge-bollard-gateway`;

const edge = (infrastructure: Json = { labels: { key2: 'value2' }, annotations: { key1: 'value1' } }): Json => {
  const g = gateway('gw', 'edge', [httpListener()]);
  return { ...g, metadata: { ...(g.metadata as Json), uid: 'uid-edge' }, spec: { ...(g.spec as Json), infrastructure } };
};

/** The state and report of a build over `objects`, the API, and a sync that feeds what the API holds back into the state (the informer). */
function setup(objects: readonly Json[], api: ScriptedApi = scriptedApi(), log = silentLogger) {
  const state = world(objects);
  const metrics = createMetrics({ processMetrics: false });
  const deps: GatewayServiceDeps = { client: api.client, log, events: createEventRecorder(api.client, OURS, 'test'), writes: metrics.gatewayServiceWrites, controllerName: OURS, target: { namespace: 'ingress', name: 'bollard' }, clusterDomain: 'cluster.local', refused: new Set() };
  const sync = async (s: ClusterState = state, objs: readonly Json[] = objects) => {
    const report = build(objs).gatewayApi ?? { classes: [], gateways: [], listenerSets: [], routes: [], backendTlsPolicies: [], conflicts: [] };
    await syncGatewayServices(deps, { lookupGateway: (ns, n) => s.gateways.lookupGateway(ns, n), lookupService: (ns, n) => s.lookupService(ns, n), generatedServices: () => s.generatedServices() }, report);
    const held = api.object(PATH);
    if (held === undefined) s.removeService('gw', 'edge-bollard-gateway');
    else s.upsertService(toService(held));
  };
  const writes = () => api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  const counted = async (action: string, result: string) => (await metrics.gatewayServiceWrites.get()).values.find((v) => v.labels.action === action && v.labels.result === result)?.value ?? 0;
  return { api, state, sync, writes, counted };
}

describe('Gateway infrastructure Services', () => {
  it('creates an ExternalName Service with the infrastructure labels and annotations, owned by the Gateway; then writes nothing', async () => {
    const { api, sync, writes, counted } = setup([gatewayClass(), edge()]);
    await sync();
    expect(writes()).toEqual([`POST ${SERVICES}`]);
    expect(await counted('created', 'success')).toBe(1);
    expect(api.object(PATH)).toMatchObject({
      metadata: {
        name: 'edge-bollard-gateway', namespace: 'gw',
        labels: { key2: 'value2', 'gateway.networking.k8s.io/gateway-name': 'edge', 'app.kubernetes.io/managed-by': 'bollard' },
        annotations: { key1: 'value1', 'bollard.io/gateway-controller': OURS },
        ownerReferences: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'edge', uid: 'uid-edge', controller: true }],
      },
      spec: { type: 'ExternalName', externalName: 'bollard.ingress.svc.cluster.local' },
    });
    await sync();
    expect(writes()).toEqual([`POST ${SERVICES}`]);
  });

  it('updates the Service when the infrastructure labels change, removing the ones dropped', async () => {
    const { api, state, sync, writes } = setup([gatewayClass(), edge()]);
    await sync();
    const changed = [gatewayClass(), edge({ labels: { team: 'web' }, annotations: { key1: 'value1' } })];
    state.gateways.upsertGateway(toGateway({ ...edge({ labels: { team: 'web' }, annotations: { key1: 'value1' } }), metadata: { namespace: 'gw', name: 'edge', uid: 'uid-edge', generation: 2, creationTimestamp: '2024-01-01T00:00:00Z' } }));
    await sync(state, changed);
    expect(writes()).toEqual([`POST ${SERVICES}`, `PATCH ${PATH}`]);
    expect((api.object(PATH)?.metadata as Json).labels).toEqual({ team: 'web', 'gateway.networking.k8s.io/gateway-name': 'edge', 'app.kubernetes.io/managed-by': 'bollard' });
    await sync(state, changed);
    expect(writes()).toHaveLength(2);
  });

  it('deletes the Service when the Gateway goes, and leaves another controller\'s generated Service alone', async () => {
    const { api, state, sync, writes } = setup([gatewayClass(), edge()]);
    await sync();
    const theirs = { metadata: { namespace: 'gw', name: 'x-bollard-gateway', labels: { 'gateway.networking.k8s.io/gateway-name': 'x', 'app.kubernetes.io/managed-by': 'bollard' }, annotations: { 'bollard.io/gateway-controller': 'example.com/other' } }, spec: { type: 'ExternalName', externalName: 'a.b.svc' } };
    state.upsertService(toService(theirs));
    state.gateways.removeGateway('gw', 'edge');
    await sync(state, [gatewayClass()]);
    expect(writes()).toEqual([`POST ${SERVICES}`, `DELETE ${PATH}`]);
    expect(api.object(PATH)).toBeUndefined();
    expect(state.generatedServices().map((s) => s.name)).toEqual(['x-bollard-gateway']);
  });

  it('never touches a Service of the same name it did not generate: one log line and one Warning Event on the Gateway', async () => {
    const api = scriptedApi();
    api.put(PATH, { metadata: { namespace: 'gw', name: 'edge-bollard-gateway', labels: { app: 'mine' } }, spec: { type: 'ClusterIP' } });
    const lines: { msg: string }[] = [];
    const log = createLogger('info', (line) => { lines.push(JSON.parse(line) as { msg: string }); });
    const { state, sync, writes } = setup([gatewayClass(), edge()], api, log);
    state.upsertService(toService(api.object(PATH) ?? {}));
    await sync();
    await sync();
    expect(writes()).toEqual(['POST /api/v1/namespaces/gw/events']);
    const event = api.requests.find((r) => r.method === 'POST')?.body as Json;
    expect(event).toMatchObject({ type: 'Warning', reason: 'InfrastructureServiceNameTaken', involvedObject: { kind: 'Gateway', name: 'edge', uid: 'uid-edge' } });
    expect(lines.map((l) => l.msg)).toEqual(['gateway service name taken']);
    expect(api.object(PATH)).toMatchObject({ metadata: { labels: { app: 'mine' } }, spec: { type: 'ClusterIP' } });
  });

  it('generates nothing for a Gateway refused for its parametersRef', async () => {
    const { sync, writes } = setup([gatewayClass(), edge({ parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' } })]);
    await sync();
    expect(writes()).toEqual([]);
  });

  it('names the Service after the Gateway, within a DNS label', () => {
    expect(gatewayServiceName('edge')).toBe('edge-bollard-gateway');
    const long = gatewayServiceName('a'.repeat(60));
    expect(long).toMatch(/^a+-[0-9a-f]{8}-bollard-gateway$/);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(gatewayServiceName('a'.repeat(61))).not.toBe(long);
    expect(gatewayServiceName('edge.example')).toMatch(/^edge-example-[0-9a-f]{8}-bollard-gateway$/);
    expect(gatewayServiceName('1st')).toMatch(/^gw-1st-[0-9a-f]{8}-bollard-gateway$/);
  });
});
