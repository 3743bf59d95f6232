// Convergence: with N Ingresses already present, the time from creating one more Ingress to
// the first 200 through Bollard (50 tries, median and p99), and the controller's RSS.
// Goal: p99 < 100 ms at 5,000 Ingresses, RSS < 300 MB. Writes bench/results/convergence.json.
import { join } from 'node:path';
import { request } from 'undici';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../src/kube/client.ts';
import { startBollard } from '../test/harness/bollard-process.ts';
import { startControlPlane } from '../test/harness/control-plane.ts';
import { createBackendNetwork } from '../test/harness/netns.ts';
import { RUN_DIR } from '../test/harness/repo.ts';
import { endpointSlice, ingress, ingressClass, service } from '../test/support/manifests.ts';
import { median, percentile, round } from './lib/stats.ts';
import { rssMiB } from './lib/rss.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const NS = 'bench';
const TRIES = 50;
const SIZES = [1000, 5000];
const CONCURRENCY = 16;

const ingressPath = `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`;
const anIngress = (name: string, host: string) => ingress(NS, name, { className: 'bollard', host, paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] });

async function createIngresses(client: KubeClient, from: number, to: number): Promise<void> {
  let next = from;
  let done = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const i = next++;
      await client.request('POST', ingressPath, anIngress(`load-${i}`, `load-${i}.bench.test`));
      done += 1;
      if (done % 500 === 0) say(`  ${done}/${to} Ingresses created`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Creates one Ingress and returns milliseconds until Bollard answers 200 for its host. */
async function convergeOnce(client: KubeClient, httpUrl: string, id: string): Promise<number> {
  const host = `${id}.conv.test`;
  const started = performance.now();
  await client.request('POST', ingressPath, anIngress(id, host));
  for (;;) {
    const res = await request(`${httpUrl}/`, { headers: { host } });
    await res.body.dump();
    if (res.statusCode === 200) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error(`${host} did not converge in 30 s`);
  }
}

async function measureAt(client: KubeClient, kubeconfig: string, size: number) {
  const bollard = await startBollard({ kubeconfig, args: ['--watch-namespaces', NS, '--election-namespace', NS, '--workers', '1', '--access-log', 'false'], readyTimeoutMs: 120_000 });
  try {
    const samples: number[] = [];
    for (let t = 0; t < TRIES; t++) {
      samples.push(await convergeOnce(client, bollard.httpUrl, `conv-${size}-${t}`));
      if ((t + 1) % 10 === 0) say(`  ${size} Ingresses: ${t + 1}/${TRIES} tries, median so far ${round(median(samples), 1)} ms`);
    }
    const rss = await rssMiB(bollard.pid);
    const metrics = await (await fetch(`${bollard.adminUrl}/metrics`)).text();
    const metric = (name: string): number => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(metrics)?.[1] ?? 'NaN');
    const buildMs = (metric('bollard_table_build_duration_seconds_sum') / metric('bollard_table_build_duration_seconds_count')) * 1000;
    const heapMiB = metric('nodejs_heap_size_used_bytes') / 2 ** 20;
    say(`  memory: heap total ${round(metric('nodejs_heap_size_total_bytes') / 2 ** 20, 1)} MiB, external ${round(metric('nodejs_external_memory_bytes') / 2 ** 20, 1)} MiB`);
    const row = { ingresses: size, tries: TRIES, medianMs: round(median(samples)), p99Ms: round(percentile(samples, 99)), maxMs: round(Math.max(...samples)), rssMiB: round(rss, 1), heapUsedMiB: round(heapMiB, 1), meanBuildMs: round(buildMs) };
    say(`convergence at ${size} Ingresses: median ${row.medianMs} ms, p99 ${row.p99Ms} ms, RSS ${row.rssMiB} MiB (heap used ${row.heapUsedMiB} MiB), mean table build ${row.meanBuildMs} ms`);
    return row;
  } finally {
    await bollard.stop();
  }
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
      await createIngresses(client, present, size);
      present = size;
      results.push(await measureAt(client, plane.kubeconfig, size));
      present += TRIES;
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
