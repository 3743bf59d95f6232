// Gateway API end to end: the real kube-apiserver with the v1.6 standard CRDs (installed by the
// harness), a real Bollard process, real backends. Routes are served from the same table as
// Ingress; status is written by the leader beside other controllers' entries.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { eventually, fromBackend, get, withStatus } from '../../support/http.ts';
import { endpointSlice, list, service } from '../../support/manifests.ts';

const STATUS_IP = '192.0.2.20';
let ns = '';
let controller = '';
let bollard: BollardProcess;
const backends: Record<string, Backend> = {};
const url = (): string => bollard.httpUrl;
const apply = async (...objects: object[]): Promise<void> => { await kubectl(['apply', '-f', '-'], list(...objects)); };
const spec = (name: string, body: () => Promise<void>) => { it(name, dumpingOnFailure(() => ns, body), 30_000); };
const GROUP = 'gateway.networking.k8s.io/v1';

interface Condition { type: string; status: string; reason: string }
interface Status { conditions?: Condition[]; parents?: { controllerName: string; parentRef: { name: string }; conditions: Condition[] }[]; addresses?: { value: string }[]; listeners?: { name: string; attachedRoutes: number; conditions: Condition[] }[] }
const statusOf = async (kind: string, name: string, namespaced = true): Promise<Status> =>
  ((JSON.parse(await kubectl(['get', kind, name, ...(namespaced ? ['-n', ns] : []), '-o', 'json'])) as { status?: Status }).status ?? {});
const isTrue = (conditions: Condition[] | undefined, type: string): boolean => conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

const httpRoute = (name: string, spec: object) => ({ apiVersion: GROUP, kind: 'HTTPRoute', metadata: { namespace: ns, name }, spec });

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('gateway');
  controller = `bollard.io/e2e-${ns}`;
  const [web, api] = await Promise.all([startBackend('web'), startBackend('api')]);
  Object.assign(backends, { web, api });
  await apply(
    service(ns, 'web', [{ name: 'http', port: 80 }]), endpointSlice(ns, 'web-1', 'web', { name: 'http', port: web.port }, [{ ip: web.ip }]),
    service(ns, 'api', [{ name: 'http', port: 80 }]), endpointSlice(ns, 'api-1', 'api', { name: 'http', port: api.port }, [{ ip: api.ip }]),
    { apiVersion: GROUP, kind: 'GatewayClass', metadata: { name: ns }, spec: { controllerName: controller } },
    { apiVersion: GROUP, kind: 'Gateway', metadata: { namespace: ns, name: 'edge' }, spec: { gatewayClassName: ns, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'odd', port: 8081, protocol: 'HTTP', hostname: 'odd.example.test' }] } },
  );
  bollard = await startBollard({
    kubeconfig: env.kubeconfig,
    args: ['--watch-namespaces', ns, '--gateway-api', 'true', '--gateway-controller-name', controller, '--publish-status-address', STATUS_IP, '--election-namespace', ns, '--election-id', 'bollard'],
  });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await Promise.all(Object.values(backends).map((b) => b.stop()));
  await kubectl(['delete', 'gatewayclass', ns, '--ignore-not-found', '--wait=false']);
  await deleteTestNamespace(ns);
});

describe('HTTPRoute', () => {
  spec('serves path and header matches, and converges on a change', async () => {
    await apply(httpRoute('shop', {
      parentRefs: [{ name: 'edge', sectionName: 'http' }], hostnames: ['shop.example.test'],
      rules: [
        { backendRefs: [{ name: 'web', port: 80 }] },
        { matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-canary', value: 'yes' }] }], backendRefs: [{ name: 'api', port: 80 }] },
      ],
    }));
    const h = 'shop.example.test';
    await eventually(url(), h, '/', fromBackend('web'), 'HTTPRoute default rule');
    expect((await get(url(), h, '/api/x')).echo?.backend).toBe('web');
    expect((await get(url(), h, '/api/x', { headers: { 'x-canary': 'yes' } })).echo?.backend).toBe('api');
    expect((await get(url(), 'other.example.test', '/')).status).toBe(404);
    await apply(httpRoute('shop', { parentRefs: [{ name: 'edge', sectionName: 'http' }], hostnames: ['shop.example.test'], rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] }));
    await eventually(url(), h, '/', fromBackend('api'), 'changed HTTPRoute');
    await kubectl(['delete', 'httproute', 'shop', '-n', ns]);
    await eventually(url(), h, '/', withStatus(404), 'deleted HTTPRoute');
  });

  spec('an unpermitted cross-namespace backend answers 500 and is reported in ResolvedRefs', async () => {
    await apply(httpRoute('cross', { parentRefs: [{ name: 'edge' }], hostnames: ['cross.example.test'], rules: [{ backendRefs: [{ name: 'web', namespace: 'default', port: 80 }] }] }));
    await eventually(url(), 'cross.example.test', '/', withStatus(500), 'invalid backend');
    const status = await waitFor(async () => {
      const s = await statusOf('httproute', 'cross');
      return s.parents?.[0]?.conditions.some((c) => c.type === 'ResolvedRefs' && c.reason === 'RefNotPermitted') === true ? s : undefined;
    }, { what: 'ResolvedRefs RefNotPermitted', timeoutMs: 15_000, intervalMs: 100 });
    expect(isTrue(status.parents?.[0]?.conditions, 'Accepted')).toBe(true);
  });
});

describe('status', () => {
  spec('GatewayClass Accepted; Gateway Programmed with addresses and listener conditions; route parents beside another controller\'s', async () => {
    await apply(httpRoute('shared', { parentRefs: [{ name: 'edge' }, { name: 'theirs' }], hostnames: ['shared.example.test'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] }));
    const theirs = { parentRef: { name: 'theirs' }, controllerName: 'example.com/other', conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'theirs', lastTransitionTime: '2024-01-01T00:00:00Z', observedGeneration: 1 }] };
    await kubectl(['patch', 'httproute', 'shared', '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { parents: [theirs] } })]);
    await eventually(url(), 'shared.example.test', '/', fromBackend('web'), 'shared route');
    const route = await waitFor(async () => {
      const s = await statusOf('httproute', 'shared');
      return s.parents?.length === 2 ? s : undefined;
    }, { what: 'both parents in route status', timeoutMs: 15_000, intervalMs: 100 });
    expect(route.parents?.map((p) => p.controllerName).sort()).toEqual(['example.com/other', controller].sort());
    expect(isTrue(route.parents?.find((p) => p.controllerName === controller)?.conditions, 'Accepted')).toBe(true);
    expect(isTrue((await statusOf('gatewayclass', ns, false)).conditions, 'Accepted')).toBe(true);
    const gw = await statusOf('gateway', 'edge');
    expect(isTrue(gw.conditions, 'Programmed')).toBe(true);
    expect(gw.addresses?.map((a) => a.value)).toEqual([STATUS_IP]);
    const http = gw.listeners?.find((l) => l.name === 'http');
    expect(isTrue(http?.conditions, 'Programmed')).toBe(true);
    expect(http?.attachedRoutes).toBeGreaterThanOrEqual(1);
    const odd = gw.listeners?.find((l) => l.name === 'odd');
    expect(odd?.conditions.find((c) => c.type === 'Accepted')).toMatchObject({ status: 'False', reason: 'PortUnavailable' });
  });
});
