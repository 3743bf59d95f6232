// Route parents and BackendTLSPolicy ancestors against the real kube-apiserver, with another
// controller writing the same list. The status writer runs in this process over a real client
// that the test hooks: the other controller's write lands exactly between our read (for a route:
// the informer's copy) and our write, so our PATCH (carrying the resourceVersion read) is refused
// with 409 Conflict by the API server, read again and written again; both controllers' entries
// must survive. A route whose informer copy is current costs one PATCH and no read.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Json, KubeClient } from '../../../src/kube/client.ts';
import { createKubeClient, loadKubeConfig } from '../../../src/kube/client.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { createMetrics, type Metrics } from '../../../src/metrics/registry.ts';
import { buildRoutingTable } from '../../../src/routing/build.ts';
import type { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { syncGatewayStatus } from '../../../src/status/gateway-status.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv } from '../../harness/e2e-env.ts';
import { configMap, service, upsertInto, world } from '../../support/routing/gateway-world.ts';
import { list } from '../../support/manifests.ts';

const GROUP = 'gateway.networking.k8s.io/v1';
const API = `/apis/${GROUP}`;
const OTHER = 'example.com/other-gateway-controller';
let ns = '';
let controller = '';
let api: KubeClient;
const spec = (name: string, body: () => Promise<void>) => { it(name, dumpingOnFailure(() => ns, body), 30_000); };

interface Entry { controllerName: string; conditions: Json[] }
const entries = async (path: string, list: 'parents' | 'ancestors'): Promise<Entry[]> =>
  (((await api.request('GET', path)).status as Record<string, Entry[] | undefined> | undefined)?.[list] ?? []);

beforeAll(async () => {
  const env = await loadE2eEnv();
  api = createKubeClient(loadKubeConfig(env.kubeconfig));
  ns = await createTestNamespace('gw-status');
  controller = `bollard.io/e2e-${ns}`;
  await kubectl(['apply', '-f', '-'], list(
    { apiVersion: GROUP, kind: 'GatewayClass', metadata: { name: ns }, spec: { controllerName: controller } },
    { apiVersion: GROUP, kind: 'Gateway', metadata: { namespace: ns, name: 'edge' }, spec: { gatewayClassName: ns, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
    {
      apiVersion: GROUP, kind: 'HTTPRoute', metadata: { namespace: ns, name: 'shared' },
      spec: { parentRefs: [{ name: 'edge' }, { name: 'theirs' }], hostnames: ['shared.example.test'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    },
    {
      apiVersion: GROUP, kind: 'HTTPRoute', metadata: { namespace: ns, name: 'solo' },
      spec: { parentRefs: [{ name: 'edge' }], hostnames: ['solo.example.test'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    },
    {
      apiVersion: GROUP, kind: 'BackendTLSPolicy', metadata: { namespace: ns, name: 'web-tls' },
      spec: { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'web.example.test' } },
    },
  ));
}, 60_000);

afterAll(async () => {
  await kubectl(['delete', 'gatewayclass', ns, '--ignore-not-found', '--wait=false']);
  await deleteTestNamespace(ns);
});

/**
 * The cluster state the informers would hold: these objects (one of the routes) as the API server has them now, plus a
 * backend (and the BackendTLSPolicy only when asked for, so the route's spec leaves it unwritten).
 */
async function stateFromApi(withPolicy: boolean, route = 'shared'): Promise<ClusterState> {
  const state = world([...service(ns, 'web', 80, ['10.0.0.1']), configMap(ns, 'ca', {})]);
  state.gateways.controllerName = controller;
  const held: (readonly [string, string])[] = [
    ['GatewayClass', `${API}/gatewayclasses/${ns}`], ['Gateway', `${API}/namespaces/${ns}/gateways/edge`], ['HTTPRoute', `${API}/namespaces/${ns}/httproutes/${route}`],
  ];
  if (withPolicy) held.push(['BackendTLSPolicy', `${API}/namespaces/${ns}/backendtlspolicies/web-tls`]);
  for (const [kind, path] of held) upsertInto(state, { ...(await api.request('GET', path)), kind });
  return state;
}

/**
 * Our client, except that right before our first PATCH to `statusPath` is sent, `other` runs (the
 * other controller's write lands between our read and our write). Requests are recorded.
 */
function hookedClient(statusPath: string, other: () => Promise<void>) {
  const seen: string[] = [];
  let armed = true;
  const client: KubeClient = {
    watch: (...args) => api.watch(...args),
    async request(method, path, body) {
      if (path.startsWith(statusPath.slice(0, -'/status'.length))) seen.push(`${method} ${path}`);
      if (armed && method === 'PATCH' && path === statusPath) {
        armed = false;
        await other();
      }
      return api.request(method, path, body);
    },
  };
  return { client, seen };
}

async function sync(client: KubeClient, state: ClusterState, metrics: Metrics): Promise<void> {
  const built = buildRoutingTable(state, { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: controller });
  if (built.gatewayApi === undefined) throw new Error('no Gateway API report');
  await syncGatewayStatus(
    { client, log: silentLogger, metrics, controllerName: controller, now: () => '2025-05-05T00:00:00Z', wait: () => Promise.resolve() },
    state.gateways, built.gatewayApi, [{ ip: '192.0.2.30' }],
  );
}

const conflicts = async (metrics: Metrics, kind: string): Promise<number> =>
  (await metrics.statusWriteConflicts.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;

describe('shared status lists against the API server', () => {
  spec('route parents: another controller writes between our read and our write; 409, read again, both entries kept', async () => {
    const route = `${API}/namespaces/${ns}/httproutes/shared`;
    const state = await stateFromApi(false);
    const theirs = {
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'theirs' }, controllerName: OTHER,
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'theirs', observedGeneration: 1, lastTransitionTime: '2024-01-01T00:00:00Z' }],
    };
    // The other controller writes its entry with a plain merge patch (no precondition), as we used to.
    const { client, seen } = hookedClient(`${route}/status`, async () => { await api.request('PATCH', `${route}/status`, { status: { parents: [theirs] } }); });
    const metrics = createMetrics({ processMetrics: false });
    await sync(client, state, metrics);

    // The first PATCH is against the informer's copy (no read); refused, the retry reads.
    expect(seen).toEqual([`PATCH ${route}/status`, `GET ${route}`, `PATCH ${route}/status`]);
    expect(await conflicts(metrics, 'HTTPRoute')).toBe(1);
    const parents = await entries(route, 'parents');
    expect(parents.map((p) => p.controllerName)).toEqual([OTHER, controller]);
    expect(parents[0]).toEqual(theirs);
    expect(parents[1]?.conditions.map((c) => [c.type, c.status])).toEqual([['Accepted', 'True'], ['ResolvedRefs', 'True']]);
  });

  spec('route parents: with the informer\'s copy current, one PATCH and no read', async () => {
    const route = `${API}/namespaces/${ns}/httproutes/solo`;
    const state = await stateFromApi(false, 'solo');
    const { client, seen } = hookedClient(`${route}/status`, () => Promise.resolve());
    const metrics = createMetrics({ processMetrics: false });
    await sync(client, state, metrics);

    expect(seen).toEqual([`PATCH ${route}/status`]);
    expect(await conflicts(metrics, 'HTTPRoute')).toBe(0);
    expect((await entries(route, 'parents')).map((p) => [p.controllerName, p.conditions.map((c) => c.reason)])).toEqual([[controller, ['Accepted', 'ResolvedRefs']]]);
  });

  spec('BackendTLSPolicy ancestors: the same race, both entries kept', async () => {
    const policy = `${API}/namespaces/${ns}/backendtlspolicies/web-tls`;
    const state = await stateFromApi(true);
    const theirs = {
      ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: ns, name: 'theirs' }, controllerName: OTHER,
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'theirs', observedGeneration: 1, lastTransitionTime: '2024-01-01T00:00:00Z' }],
    };
    const { client, seen } = hookedClient(`${policy}/status`, async () => { await api.request('PATCH', `${policy}/status`, { status: { ancestors: [theirs] } }); });
    const metrics = createMetrics({ processMetrics: false });
    await sync(client, state, metrics);

    expect(seen).toEqual([`GET ${policy}`, `PATCH ${policy}/status`, `GET ${policy}`, `PATCH ${policy}/status`]);
    expect(await conflicts(metrics, 'BackendTLSPolicy')).toBe(1);
    const ancestors = await entries(policy, 'ancestors');
    expect(ancestors.map((a) => a.controllerName)).toEqual([OTHER, controller]);
    expect(ancestors[0]).toEqual(theirs);
  });
});
