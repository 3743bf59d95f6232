// `make dev-cluster`: the README's example with Bollard running as Pods on the one-node cluster
// (`make cluster`, which the Makefile starts first): the images built and imported, `helm upgrade
// --install bollard charts/bollard -n kube-system` with the built image and a NodePort Service on
// 30080/30443, echo Deployments `hello` and `api` in the namespace `demo` with the Ingresses `hello`
// (hello.bollard.test: / → hello, /api → api) and `apps` (*.apps.bollard.test → api); then the
// curl lines, through the node's NodePort. Everything stays up; `make cluster-down` removes it.
// `--check` curls each line once and exits non-zero on a mismatch.
import { Agent, request } from 'undici';
import { theCluster } from '../test/harness/cluster/env.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { ingress, list } from '../test/support/manifests.ts';
import { deployEcho } from '../test/cluster/support/backends.ts';
import { HTTPS_NODE_PORT, HTTP_NODE_PORT, INGRESS_CLASS, installBollard } from '../test/cluster/support/bollard.ts';
import { provideImages } from '../test/cluster/support/images.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const NS = 'demo';

interface Example { readonly host: string; readonly path: string; readonly expect: string; readonly https?: boolean }

const EXAMPLES: readonly Example[] = [
  { host: 'hello.bollard.test', path: '/', expect: 'hello' },
  { host: 'hello.bollard.test', path: '/api/users', expect: 'api' },
  { host: 'shop.apps.bollard.test', path: '/', expect: 'api' },
  { host: 'nothing.bollard.test', path: '/', expect: '404' },
  { host: 'hello.bollard.test', path: '/', expect: 'hello', https: true },
];

/** The Deployment a reply came from (the echo backend names its Pod), or the status. */
async function answer(nodeIp: string, e: Example): Promise<string> {
  const url = e.https ? `https://${nodeIp}:${HTTPS_NODE_PORT}${e.path}` : `http://${nodeIp}:${HTTP_NODE_PORT}${e.path}`;
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false, servername: e.host } });
  try {
    const r = await request(url, { headers: { host: e.host }, dispatcher });
    const text = await r.body.text();
    if (r.statusCode !== 200) return String(r.statusCode);
    return ((JSON.parse(text) as { backend?: string }).backend ?? '').replace(/-[a-z0-9]+-[a-z0-9]+$/, '');
  } finally {
    await dispatcher.close();
  }
}

async function main(): Promise<number> {
  const cluster = await theCluster();
  const t0 = Date.now();
  await provideImages(cluster, (line) => { say(`dev-cluster: ${line}`); });
  say('dev-cluster: helm upgrade --install bollard charts/bollard -n kube-system');
  await installBollard(cluster);
  await cluster.kubectl(['create', 'namespace', NS]).catch(() => '');
  await deployEcho(cluster, NS, 'hello', 'hello.bollard.test');
  await deployEcho(cluster, NS, 'api', 'api.bollard.test', { replicas: 1 });
  await cluster.kubectl(['apply', '-f', '-'], list(
    ingress(NS, 'hello', { className: INGRESS_CLASS, host: 'hello.bollard.test', paths: [
      { path: '/', pathType: 'Prefix', service: 'hello', port: 80 },
      { path: '/api', pathType: 'Prefix', service: 'api', port: 80 },
    ] }),
    ingress(NS, 'apps', { className: INGRESS_CLASS, host: '*.apps.bollard.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api', port: 80 }] }),
  ));
  // The table converges a moment after the objects exist.
  const probe: Example = { host: 'hello.bollard.test', path: '/api/users', expect: 'api' };
  await waitFor(async () => ((await answer(cluster.nodeIp, probe)) === probe.expect ? true : undefined), { what: 'the example routes', timeoutMs: 30_000, intervalMs: 250 });
  say(`dev-cluster: ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  say(`export KUBECONFIG=${cluster.kubeconfig}`);
  say('kubectl -n kube-system get pods,svc; kubectl -n demo get deploy,ingress');
  let failed = 0;
  for (const e of EXAMPLES) {
    const port = e.https ? HTTPS_NODE_PORT : HTTP_NODE_PORT;
    const scheme = e.https ? 'https' : 'http';
    say(`curl ${e.https ? '-k ' : ''}--resolve ${e.host}:${port}:${cluster.nodeIp} ${scheme}://${e.host}:${port}${e.path}   # → ${e.expect}`);
    if (process.argv.includes('--check')) {
      const got = await answer(cluster.nodeIp, e);
      if (got !== e.expect) failed++;
      say(`  ${got === e.expect ? 'ok  ' : 'FAIL'} → ${got}`);
    }
  }
  say('make cluster-down   # removes it all');
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
