// `make dev`: a local control plane, two example backends in a network namespace, example
// Ingresses, and the Bollard controller in the foreground, then the curl lines to try.
// Ctrl-C stops everything it started, by PID. `--check` curls each URL once and exits
// (non-zero when one fails), which is how the README's claim is tested.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startBollard, type BollardProcess } from '../test/harness/bollard-process.ts';
import { startControlPlane, type ControlPlane } from '../test/harness/control-plane.ts';
import { runKubectl } from '../test/harness/kubectl.ts';
import { createBackendNetwork, type BackendNetwork } from '../test/harness/netns.ts';
import { RUN_DIR } from '../test/harness/repo.ts';
import { Agent, request } from 'undici';
import { endpointSlice, ingress, ingressClass, list, service } from '../test/support/manifests.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const check = process.argv.includes('--check');
// --id lets a test run its own copy beside a developer's `make dev`.
const idArg = process.argv.indexOf('--id');
const ID = idArg === -1 ? 'dev' : (process.argv[idArg + 1] ?? 'dev');
const DIR = join(RUN_DIR, ID);

interface Example { readonly host: string; readonly path: string; readonly expect: string; readonly https?: boolean }

async function exampleObjects(kubeconfig: string, network: BackendNetwork): Promise<Example[]> {
  const hello = await network.startBackend('hello');
  const api = await network.startBackend('api', { address: network.addresses[1] ?? hello.ip });
  const ns = 'demo';
  await runKubectl(kubeconfig, ['create', 'namespace', ns]);
  const cls = { ...ingressClass('bollard', 'bollard.io/ingress-controller'), metadata: { name: 'bollard', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } };
  await runKubectl(kubeconfig, ['apply', '-f', '-'], list(
    cls,
    service(ns, 'hello', [{ name: 'http', port: 80, targetPort: 'http' }]),
    endpointSlice(ns, 'hello-1', 'hello', { name: 'http', port: hello.port }, [{ ip: hello.ip }]),
    service(ns, 'api', [{ port: 8080 }]),
    endpointSlice(ns, 'api-1', 'api', { port: api.port }, [{ ip: api.ip }]),
    ingress(ns, 'hello', { className: 'bollard', host: 'hello.bollard.test', paths: [
      { path: '/', pathType: 'Prefix', service: 'hello', port: 'http' },
      { path: '/api', pathType: 'Prefix', service: 'api', port: 8080 },
    ] }),
    ingress(ns, 'apps', { className: 'bollard', host: '*.apps.bollard.test', paths: [{ path: '/', pathType: 'Prefix', service: 'api', port: 8080 }] }),
  ));
  return [
    { host: 'hello.bollard.test', path: '/', expect: 'hello' },
    { host: 'hello.bollard.test', path: '/api/users', expect: 'api' },
    { host: 'shop.apps.bollard.test', path: '/', expect: 'api' },
    { host: 'nothing.bollard.test', path: '/', expect: '404' },
    { host: 'hello.bollard.test', path: '/', expect: 'hello', https: true },
  ];
}

async function curlOnce(bollard: BollardProcess, e: Example): Promise<boolean> {
  const url = e.https ? `https://127.0.0.1:${bollard.httpsPort}${e.path}` : `${bollard.httpUrl}${e.path}`;
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false, servername: e.host } });
  const r = await request(url, { headers: { host: e.host }, dispatcher });
  const text = await r.body.text();
  const got = r.statusCode === 200 ? ((JSON.parse(text) as { backend?: string }).backend ?? '') : String(r.statusCode);
  await dispatcher.close();
  say(`  ${got === e.expect ? 'ok  ' : 'FAIL'} ${e.https ? 'https://' : ''}${e.host}${e.path} → ${got}`);
  return got === e.expect;
}

async function main(): Promise<number> {
  await rm(DIR, { recursive: true, force: true });
  let plane: ControlPlane | undefined;
  let network: BackendNetwork | undefined;
  let bollard: BollardProcess | undefined;
  try {
    network = await createBackendNetwork(ID);
    plane = await startControlPlane({ dir: DIR, log: say });
    const examples = await exampleObjects(plane.kubeconfig, network);
    bollard = await startBollard({ kubeconfig: plane.kubeconfig, args: ['--publish-status-address', '127.0.0.1', '--election-namespace', 'demo'] });
    say('');
    say(`Bollard is serving on ${bollard.httpUrl} (admin ${bollard.adminUrl}/metrics)`);
    say(`kubectl: export KUBECONFIG=${plane.kubeconfig}`);
    say('Try:');
    for (const e of examples.filter((x) => x.https !== true)) say(`  curl -H 'Host: ${e.host}' ${bollard.httpUrl}${e.path}`);
    say(`  curl -k --resolve hello.bollard.test:${bollard.httpsPort}:127.0.0.1 https://hello.bollard.test:${bollard.httpsPort}/   # HTTPS, HTTP/2 (self-signed default certificate)`);
    if (check) {
      let ok = true;
      for (const e of examples) ok = (await curlOnce(bollard, e)) && ok;
      return ok ? 0 : 1;
    }
    say('Ctrl-C stops everything.');
    await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
    return 0;
  } finally {
    await bollard?.stop();
    await plane?.stop();
    await network?.destroy();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`make dev: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
