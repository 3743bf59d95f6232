// Everything the proxy benchmark measures against, started once and stopped by the Cleanup it is
// given: the backend nginx inside a backend network namespace, the local control plane with the
// benchmark's objects, and the proxies in front (nginx, HAProxy, Caddy, Bollard), each on the
// proxy core.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../src/kube/client.ts';
import { startControlPlane, type ControlPlane } from '../../test/harness/control-plane.ts';
import { freePort } from '../../test/harness/free-port.ts';
import { createBackendNetwork } from '../../test/harness/netns.ts';
import { spawnManaged } from '../../test/harness/processes.ts';
import { waitUntilReady } from '../../test/harness/readiness.ts';
import { REPO_ROOT } from '../../test/harness/repo.ts';
import { startBenchBollard, type BenchBollard, type BenchBollardOptions } from './bollard.ts';
import type { Cleanup } from './cleanup.ts';
import { pinnedCommand, pinProcess, type CpuPlan } from './cpu-plan.ts';
import { buildCaddyConfig } from './caddy-config.ts';
import { buildHaproxyConfig } from './haproxy-config.ts';
import { BODIES, buildBackendConfig, buildProxyConfig } from './nginx-config.ts';
import { startNginx, type NginxProcess } from './nginx.ts';
import { startProxyProcess, type ProxyProcess } from './proxy-process.ts';
import { createProxyObjects, type Backend } from './proxy-cluster.ts';
import { preflight } from './preflight.ts';
import { selfSignedCertificate, type SelfSigned } from './tls.ts';

const run = promisify(execFile);
export const BENCH_HOST = 'proxy.bench.test';
export const BENCH_NS = 'proxy-bench';
const BACKEND_PORT = 8080;
const MINIMAL_PROXY = join(REPO_ROOT, 'bench', 'lib', 'minimal-proxy.ts');

export interface BackendSide {
  readonly backend: Backend;
  readonly nginx: NginxProcess;
}

export interface Tools {
  readonly nginx: string;
  readonly haproxy: string;
  readonly caddy: string;
  readonly wrk: string;
}

export async function checkTools(): Promise<Tools> {
  const version = async (cmd: string, args: string[]): Promise<string> => {
    try {
      const { stdout, stderr } = await run(cmd, args);
      return `${stdout}${stderr}`.trim().split('\n')[0] ?? '';
    } catch (err: unknown) {
      const text = typeof err === 'object' && err !== null && 'stdout' in err ? String(err.stdout) : '';
      if (text.includes('wrk')) return text.trim().split('\n')[0] ?? '';
      throw new Error(`${cmd} is required for the proxy benchmark (make deps installs it): ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // `wrk -v` prints its version and exits 1.
  return {
    nginx: await version('nginx', ['-v']), haproxy: await version('haproxy', ['-v']), caddy: `caddy ${await version('caddy', ['version'])}`,
    wrk: await version('wrk', ['-v']),
  };
}

export async function startBackendSide(plan: CpuPlan, dir: string, cleanup: Cleanup): Promise<BackendSide> {
  const network = await createBackendNetwork(`proxy-${process.pid}`);
  cleanup.defer('backend network', () => network.destroy());
  const ip = network.addresses[0] ?? '';
  const backendDir = join(dir, 'backend');
  const nginx = await startNginx({
    what: 'backend nginx', dir: backendDir, plan, cpus: plan.backend, netns: network.name, probe: { host: ip, port: BACKEND_PORT },
    config: buildBackendConfig({ dir: backendDir, listen: `${ip}:${BACKEND_PORT}`, bodies: BODIES }),
  });
  cleanup.defer('backend nginx', () => nginx.stop());
  return { backend: { ip, port: BACKEND_PORT }, nginx };
}

export interface ClusterSide {
  readonly plane: ControlPlane;
  readonly client: KubeClient;
  readonly cert: SelfSigned;
}

export async function startClusterSide(plan: CpuPlan, dir: string, backend: Backend, cleanup: Cleanup, say: (line: string) => void): Promise<ClusterSide> {
  const planeDir = join(dir, 'control-plane');
  const plane = await startControlPlane({ dir: planeDir, log: say });
  cleanup.defer('control plane', () => plane.stop());
  for (const pid of plane.pids) await pinProcess(plan, pid, plan.rest);
  const client = createKubeClient(loadKubeConfig(plane.kubeconfig));
  const cert = await selfSignedCertificate(dir, BENCH_HOST);
  await createProxyObjects(client, { ns: BENCH_NS, host: BENCH_HOST, backend, certPem: cert.certPem, keyPem: cert.keyPem });
  return { plane, client, cert };
}

export interface NginxProxy extends NginxProcess {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly accessLog: string;
}

export async function startNginxProxy(o: { plan: CpuPlan; dir: string; name: string; cpus: readonly number[]; workers: number; backend: Backend; cert: SelfSigned; cleanup: Cleanup }): Promise<NginxProxy> {
  const dir = join(o.dir, o.name);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const accessLog = join(dir, 'access.log');
  const nginx = await startNginx({
    what: o.name, dir, plan: o.plan, cpus: o.cpus, probe: { host: '127.0.0.1', port: httpPort },
    config: buildProxyConfig({
      dir, workers: o.workers, httpListen: `127.0.0.1:${httpPort}`, httpsListen: `127.0.0.1:${httpsPort}`,
      cert: o.cert.certFile, key: o.cert.keyFile, upstream: `${o.backend.ip}:${o.backend.port}`, accessLog,
    }),
  });
  o.cleanup.defer(o.name, () => nginx.stop());
  return { ...nginx, httpPort, httpsPort, accessLog };
}

/** A C or Go proxy in front of the backend: its ports, and the file its access log goes to. */
export interface OtherProxy extends ProxyProcess {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly accessLog: string;
}

interface OtherProxyOptions { plan: CpuPlan; dir: string; name: string; cpus: readonly number[]; backend: Backend; cert: SelfSigned; cleanup: Cleanup }

/** HAProxy, one thread; its access log is its stdout (HAProxy writes no log files), in output.log. */
export async function startHaproxyProxy(o: OtherProxyOptions): Promise<OtherProxy> {
  const dir = join(o.dir, o.name);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const pem = `${o.cert.certPem.trimEnd()}\n${o.cert.keyPem}`;
  const proc = await startProxyProcess({
    what: o.name, dir, plan: o.plan, cpus: o.cpus, probe: { host: '127.0.0.1', port: httpPort }, command: 'haproxy', args: ['-db', '-f', '{dir}/haproxy.cfg'],
    files: {
      'tls.pem': pem,
      'haproxy.cfg': buildHaproxyConfig({
        dir, httpListen: `127.0.0.1:${httpPort}`, httpsListen: `127.0.0.1:${httpsPort}`, pemBundle: join(dir, 'tls.pem'), upstream: `${o.backend.ip}:${o.backend.port}`,
      }),
    },
  });
  o.cleanup.defer(o.name, () => proc.stop());
  return { ...proc, httpPort, httpsPort, accessLog: proc.logFile };
}

/** Caddy; GOMAXPROCS follows the CPUs it is pinned to. */
export async function startCaddyProxy(o: OtherProxyOptions): Promise<OtherProxy> {
  const dir = join(o.dir, o.name);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const accessLog = join(dir, 'access.log');
  const proc = await startProxyProcess({
    what: o.name, dir, plan: o.plan, cpus: o.cpus, probe: { host: '127.0.0.1', port: httpPort }, command: 'caddy', args: ['run', '--config', '{dir}/caddy.json'],
    files: {
      'caddy.json': buildCaddyConfig({
        dir, httpListen: `127.0.0.1:${httpPort}`, httpsListen: `127.0.0.1:${httpsPort}`, certFile: o.cert.certFile, keyFile: o.cert.keyFile,
        upstream: `${o.backend.ip}:${o.backend.port}`, accessLog,
      }),
    },
  });
  o.cleanup.defer(o.name, () => proc.stop());
  return { ...proc, httpPort, httpsPort, accessLog };
}

/** The reference relay (minimal-proxy.ts) on `cpus`, in front of the backend. */
export async function startMinimalNodeProxy(plan: CpuPlan, cpus: readonly number[], backend: Backend, cleanup: Cleanup): Promise<{ pid: number; port: number }> {
  const [file, args] = pinnedCommand(plan, cpus, process.execPath, [MINIMAL_PROXY, `${backend.ip}:${backend.port}`]);
  const proc = spawnManaged(file, args);
  cleanup.defer('minimal node proxy', () => proc.stop());
  let port: number | undefined;
  if (proc.child.stdout) createInterface({ input: proc.child.stdout }).on('line', (line) => { port ??= (JSON.parse(line) as { port?: number }).port; });
  const found = await waitUntilReady(proc, () => Promise.resolve(port), { what: 'minimal node proxy', timeoutMs: 10_000, intervalMs: 20 });
  return { pid: proc.pid, port: found };
}

export async function startBollardProxy(o: BenchBollardOptions & { cleanup: Cleanup }): Promise<BenchBollard> {
  const bollard = await startBenchBollard(o);
  o.cleanup.defer(o.name, () => bollard.stop());
  return bollard;
}

/** The bodies through one target, each checked for status 200 and exact size. */
export async function preflightBodies(what: string, proto: 'http' | 'https', ip: string, port: number): Promise<void> {
  for (const body of BODIES) await preflight(what, { proto, host: BENCH_HOST, ip, port, path: body.path }, body.bytes);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
