// The local control plane: etcd + kube-apiserver with generated PKI, an admin kubeconfig, and a
// stop() that kills what it started by PID. No controller-manager and no scheduler: namespaces are
// never finalized, pods never scheduled, the `kubernetes` Service has no endpoints. The Gateway API
// CRDs are installed (gateway-api-crds.ts).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePki } from './certs.ts';
import { startEtcd } from './etcd.ts';
import { adminTls, startKubeApiserver } from './kube-apiserver.ts';
import { kubeApiserverBinary } from './kube-apiserver-binary.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { runKubectl } from './kubectl.ts';
import { installGatewayApiCrds } from './gateway-api-crds.ts';
import type { Managed } from './processes.ts';

export interface ControlPlane {
  readonly kubeconfig: string;
  readonly server: string;
  readonly dir: string;
  readonly pids: number[];
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  readonly dir: string;
  readonly log?: (line: string) => void;
  /**
   * Let the processes outlive this one (scripts/cluster.ts up): they run in their own session and
   * are released from the exit hook once the control plane is ready; stop them later by PID.
   */
  readonly detached?: boolean;
}

async function stopAll(started: readonly Managed[]): Promise<void> {
  // kube-apiserver first, so it does not spend its shutdown retrying a vanished etcd.
  for (const proc of [...started].reverse()) await proc.stop();
}

async function boot(opts: ControlPlaneOptions, started: Managed[], log: (line: string) => void): Promise<ControlPlane> {
  const t0 = Date.now();
  const since = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const [binary, pki] = await Promise.all([kubeApiserverBinary(log), generatePki(opts.dir)]);
  log(`control-plane: certificates in ${opts.dir} (${since()}); starting etcd`);
  const etcd = await startEtcd({ dir: opts.dir, detached: opts.detached });
  started.push(etcd.process);
  log(`control-plane: etcd ready at ${etcd.url} pid ${etcd.process.pid} (${since()}); starting kube-apiserver`);
  const apiserver = await startKubeApiserver({ binary, dir: opts.dir, etcdUrl: etcd.url, pki, detached: opts.detached });
  started.push(apiserver.process);
  log(`control-plane: kube-apiserver ready at ${apiserver.server} pid ${apiserver.process.pid} (${since()})`);
  const kubeconfig = join(opts.dir, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfig, apiserver.server, await adminTls(pki));
  await runKubectl(kubeconfig, ['get', 'namespaces', '-o', 'name']);
  log(`control-plane: kubectl get ns works with ${kubeconfig} (${since()})`);
  await installGatewayApiCrds(kubeconfig);
  log(`control-plane: Gateway API CRDs established (${since()})`);
  if (opts.detached === true) for (const proc of started) proc.release();
  return {
    kubeconfig,
    server: apiserver.server,
    dir: opts.dir,
    pids: started.map((p) => p.pid),
    stop: () => stopAll(started),
  };
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const started: Managed[] = [];
  try {
    return await boot(opts, started, log);
  } catch (err: unknown) {
    await stopAll(started);
    throw err;
  }
}
