// Convergence: with N Ingresses already present, the time from creating one more Ingress to
// the first 200 through Bollard (50 tries, median and p99), and the controller's RSS.
// Goal: p99 < 100 ms at 5,000 Ingresses, RSS < 300 MB. Writes bench/results/convergence.json.
import { join } from 'node:path';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../src/kube/client.ts';
import { startControlPlane } from '../test/harness/control-plane.ts';
import { createBackendNetwork } from '../test/harness/netns.ts';
import { RUN_DIR } from '../test/harness/repo.ts';
import { endpointSlice, ingress, ingressClass, service } from '../test/support/manifests.ts';
import { createMany, measureConvergence, CREATED_PER_MEASUREMENT } from './lib/convergence.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const NS = 'bench';
const SIZES = [1000, 5000];

const ingressPath = `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`;
const anIngress = (name: string, host: string) => ingress(NS, name, { className: 'bollard', host, paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] });

async function measureAt(client: KubeClient, kubeconfig: string, size: number) {
  const row = await measureConvergence({
    kubeconfig, size, what: 'Ingresses', say,
    args: ['--watch-namespaces', NS, '--election-namespace', NS, '--workers', '1', '--access-log', 'false'],
    create: (id, host) => client.request('POST', ingressPath, anIngress(id, host)),
  });
  say(`convergence at ${size} Ingresses: median ${row.medianMs} ms, p99 ${row.p99Ms} ms, RSS ${row.rssMiB} MiB (heap used ${row.heapUsedMiB} MiB), mean table build ${row.meanBuildMs} ms`);
  return { ingresses: size, ...row };
}

async function main(): Promise<void> {
  const network = await createBackendNetwork(`conv-${process.pid}`);
  const plane = await startControlPlane({ dir: join(RUN_DIR, `bench-convergence-${process.pid}`), log: say });
  try {
    const client = createKubeClient(loadKubeConfig(plane.kubeconfig));
    const web = await network.startBackend('web');
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await client.request('POST', '/apis/networking.k8s.io/v1/ingressclasses', ingressClass('bollard', 'bollard.io/ingress-controller'));
    await client.request('POST', `/api/v1/namespaces/${NS}/services`, service(NS, 'web', [{ port: 80 }]));
    await client.request('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, endpointSlice(NS, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]));
    const results = [];
    let present = 0;
    for (const size of SIZES) {
      say(`convergence: creating Ingresses up to ${size}`);
      await createMany(present, size, (i) => client.request('POST', ingressPath, anIngress(`load-${i}`, `load-${i}.bench.test`)), say, 'Ingresses');
      present = size;
      results.push(await measureAt(client, plane.kubeconfig, size));
      present += CREATED_PER_MEASUREMENT;
    }
    const file = await writeResults('convergence', { goal: { p99Ms: 100, rssMiB: 300 }, results });
    say(`wrote ${file}`);
  } finally {
    await plane.stop();
    await network.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/convergence: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
