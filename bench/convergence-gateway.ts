// Gateway API convergence, beside the Ingress row (bench/convergence.ts): with N HTTPRoutes already
// attached to one Gateway, the time from creating one more HTTPRoute to the first 200 through
// Bollard for its hostname (50 tries, median and p99), and the controller's RSS and mean build.
// Goal: p99 < 100 ms at 5,000 routes. Writes bench/results/convergence-gateway.json.
import { join } from 'node:path';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../src/kube/client.ts';
import { startControlPlane } from '../test/harness/control-plane.ts';
import { createBackendNetwork } from '../test/harness/netns.ts';
import { RUN_DIR } from '../test/harness/repo.ts';
import { endpointSlice, service } from '../test/support/manifests.ts';
import { createMany, measureConvergence, CREATED_PER_MEASUREMENT } from './lib/convergence.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const NS = 'bench';
const SIZES = [1000, 5000];
const API = '/apis/gateway.networking.k8s.io/v1';
const routesPath = `${API}/namespaces/${NS}/httproutes`;

const anHttpRoute = (name: string, host: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { namespace: NS, name },
  spec: { parentRefs: [{ name: 'edge' }], hostnames: [host], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
});

async function measureAt(client: KubeClient, kubeconfig: string, size: number) {
  const row = await measureConvergence({
    kubeconfig, size, what: 'HTTPRoutes', say,
    args: ['--watch-namespaces', NS, '--election-namespace', NS, '--workers', '1', '--access-log', 'false', '--gateway-api', 'true'],
    create: (id, host) => client.request('POST', routesPath, anHttpRoute(id, host)),
  });
  say(`gateway convergence at ${size} HTTPRoutes: median ${row.medianMs} ms, p99 ${row.p99Ms} ms, RSS ${row.rssMiB} MiB (heap used ${row.heapUsedMiB} MiB), mean table build ${row.meanBuildMs} ms`);
  return { httpRoutes: size, ...row };
}

async function main(): Promise<void> {
  const network = await createBackendNetwork(`convgw-${process.pid}`);
  const plane = await startControlPlane({ dir: join(RUN_DIR, `bench-convergence-gateway-${process.pid}`), log: say });
  try {
    const client = createKubeClient(loadKubeConfig(plane.kubeconfig));
    const web = await network.startBackend('web');
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await client.request('POST', `${API}/gatewayclasses`, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'bollard' }, spec: { controllerName: 'bollard.io/gateway-controller' } });
    await client.request('POST', `${API}/namespaces/${NS}/gateways`, {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { namespace: NS, name: 'edge' },
      spec: { gatewayClassName: 'bollard', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    await client.request('POST', `/api/v1/namespaces/${NS}/services`, service(NS, 'web', [{ port: 80 }]));
    await client.request('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, endpointSlice(NS, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]));
    const results = [];
    let present = 0;
    for (const size of SIZES) {
      say(`gateway convergence: creating HTTPRoutes up to ${size}`);
      await createMany(present, size, (i) => client.request('POST', routesPath, anHttpRoute(`load-${i}`, `load-${i}.bench.test`)), say, 'HTTPRoutes');
      present = size;
      results.push(await measureAt(client, plane.kubeconfig, size));
      present += CREATED_PER_MEASUREMENT;
    }
    const file = await writeResults('convergence-gateway', { goal: { p99Ms: 100 }, results });
    say(`wrote ${file}`);
  } finally {
    await plane.stop();
    await network.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/convergence-gateway: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
