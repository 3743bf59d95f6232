// A real one-node Kubernetes cluster on this machine, on top of our control plane pieces: etcd and
// a kube-apiserver of its own on the node address, containerd, kubelet, kube-controller-manager,
// kube-scheduler, kube-proxy, CoreDNS and metrics-server as host processes, Pods on the bridge
// `bollard0`.
//
//   startCluster({ dir })  brings it up (tearing down first whatever a crashed run left in `dir`)
//                          and records it in <dir>/state.json;
//   stopCluster(dir)       takes it down from that record, completely; safe to repeat.
//
// Attached (Jest) the processes die with the starting process; detached (`make cluster`) they
// outlive it and `make cluster-down` stops them by PID.
import { mkdir, rm } from 'node:fs/promises';
import { adminTls } from '../kube-apiserver.ts';
import { kubeApiserverBinary } from '../kube-apiserver-binary.ts';
import { kubeBuild } from '../kube-build.ts';
import { runKubectl } from '../kubectl.ts';
import type { Managed } from '../processes.ts';
import { runScript } from '../script.ts';
import { startEtcd } from '../etcd.ts';
import { startClusterApiserver } from './apiserver.ts';
import { importImage, startContainerd } from './containerd.ts';
import { startControllerManager, startScheduler } from './controllers.ts';
import { startCoredns } from './coredns.ts';
import { startKubelet } from './kubelet.ts';
import { writeClusterKubeconfigs } from './kubeconfigs.ts';
import { startKubeProxy } from './kube-proxy.ts';
import { startMetricsServer } from './metrics-server.ts';
import type { ClusterPaths } from './layout.ts';
import { BRIDGE, CLUSTER_DOMAIN, DNS_IP, NODE_IP, NODE_NAME, PAUSE_IMAGE, POD_CIDR, SERVICE_CIDR, clusterPaths } from './layout.ts';
import { criNetns, mountsUnder } from './mounts.ts';
import { absentHostPaths } from './host-paths.ts';
import { BridgeInUseError, bridgeExists, createBridge, writeCniConfig } from './network.ts';
import { nftTables } from './packet-filter.ts';
import { generateClusterPki } from './pki.ts';
import type { ClusterPki } from './pki.ts';
import { waitForClusterReady } from './readiness.ts';
import type { ClusterState, HostBefore, RecordedProcess } from './state.ts';
import { readClusterState, writeClusterState } from './state.ts';
import { readSysctls } from './sysctls.ts';
import { teardownCluster } from './teardown.ts';
import type { TeardownReport } from './teardown.ts';

export interface Cluster {
  readonly kubeconfig: string;
  readonly server: string;
  readonly nodeIp: string;
  readonly nodeName: string;
  readonly dnsIp: string;
  readonly clusterDomain: string;
  readonly serviceCidr: string;
  readonly podCidr: string;
  readonly dir: string;
  readonly stateFile: string;
  /** Imports a docker-archive or OCI tarball into the node's containerd (`imagePullPolicy: Never`). */
  importImage(tarPath: string): Promise<void>;
  kubectl(args: readonly string[], stdin?: string): Promise<string>;
  stop(): Promise<TeardownReport>;
}

export interface ClusterOptions {
  readonly dir: string;
  readonly log?: (line: string) => void;
  /** Let the processes outlive this one (`make cluster`); stop them with stopCluster(dir). */
  readonly detached?: boolean;
}

const NODE_PROGRAMS = ['kubelet', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns', 'metrics-server'] as const;

interface Binaries {
  readonly apiserver: string;
  readonly kubelet: string;
  readonly controllerManager: string;
  readonly scheduler: string;
  readonly kubeProxy: string;
  readonly coredns: string;
  readonly metricsServer: string;
}

async function binaries(log: (line: string) => void): Promise<Binaries> {
  const [apiserver, node] = await Promise.all([kubeApiserverBinary(log), kubeBuild(NODE_PROGRAMS, log)]);
  const [kubelet = '', controllerManager = '', scheduler = '', kubeProxy = '', coredns = '', metricsServer = ''] = node;
  return { apiserver, kubelet, controllerManager, scheduler, kubeProxy, coredns, metricsServer };
}

/** Builds (once, cached) the pause image archive and returns its path. */
export async function pauseImageArchive(log: (line: string) => void): Promise<string> {
  const [path] = await runScript('pause-image.sh', [PAUSE_IMAGE], log);
  return path ?? '';
}

async function hostBefore(): Promise<HostBefore> {
  const [sysctls, netns, tables] = await Promise.all([readSysctls(), criNetns(), nftTables()]);
  return { sysctls, netns, nftTables: tables, absentPaths: absentHostPaths() };
}

/** Records each process as soon as it runs, so a failed or crashed bring-up can be torn down. */
class Recorder {
  private readonly started: { name: string; proc: Managed }[] = [];
  private state: ClusterState;
  private writing: Promise<void> = Promise.resolve();

  constructor(initial: ClusterState) {
    this.state = initial;
  }

  get current(): ClusterState {
    return this.state;
  }

  /** Updates the state file; writes are queued, so parallel starts never interleave them. */
  async update(update: Partial<ClusterState> = {}): Promise<void> {
    const processes: RecordedProcess[] = this.started.map(({ name, proc }) => ({ name, pid: proc.pid }));
    this.state = { ...this.state, ...update, processes };
    const state = this.state;
    this.writing = this.writing.then(() => writeClusterState(clusterPaths(state.dir).stateFile, state));
    await this.writing;
  }

  /** Awaits a process's start and records it. */
  async track<T extends Managed>(name: string, starting: Promise<T>): Promise<T> {
    const proc = await starting;
    this.started.push({ name, proc });
    await this.update();
    return proc;
  }

  release(): void {
    for (const { proc } of this.started) proc.release();
  }
}

function initialState(paths: ClusterPaths, host: HostBefore, detached: boolean): ClusterState {
  return {
    dir: paths.dir,
    owner: detached ? 0 : process.pid,
    kubeconfig: '',
    server: '',
    nodeIp: NODE_IP,
    nodeName: NODE_NAME,
    dnsIp: DNS_IP,
    serviceCidr: SERVICE_CIDR,
    podCidr: POD_CIDR,
    containerdSocket: paths.containerdSocket,
    processes: [],
    kubeProxyBinary: '',
    host,
  };
}

/**
 * Like Promise.all, but waits for every start to settle before throwing the first failure: each
 * process that did start is then recorded, and the teardown that follows stops it.
 */
async function allStarted<T extends readonly unknown[]>(starting: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(starting);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as unknown as T;
}

interface Prepared {
  readonly bins: Binaries;
  readonly pki: ClusterPki;
  readonly pause: string;
}

async function prepare(paths: ClusterPaths, log: (line: string) => void): Promise<Prepared> {
  const [bins, pki, pause] = await Promise.all([
    binaries(log),
    generateClusterPki(paths.pki),
    pauseImageArchive(log),
    createBridge().then(() => writeCniConfig(paths)),
  ]);
  return { bins, pki, pause };
}

async function boot(paths: ClusterPaths, rec: Recorder, detached: boolean, log: (line: string) => void): Promise<void> {
  const t0 = Date.now();
  const since = (): string => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const { bins, pki, pause } = await prepare(paths, log);
  await rec.update({ kubeProxyBinary: bins.kubeProxy });
  log(`cluster: binaries, PKI, pause image and bridge ready (${since()}); starting etcd, containerd`);
  const etcdStarting = startEtcd({ dir: paths.dir, detached });
  const [etcd] = await allStarted([
    etcdStarting,
    rec.track('etcd', etcdStarting.then((e) => e.process)),
    rec.track('containerd', startContainerd(paths, detached)),
  ]);
  const apiserverStarting = startClusterApiserver({ binary: bins.apiserver, dir: paths.dir, etcdUrl: etcd.url, pki, detached });
  const [apiserver] = await allStarted([
    apiserverStarting,
    rec.track('kube-apiserver', apiserverStarting.then((a) => a.process)),
    importImage(paths, pause),
  ]);
  const kubeconfigs = await writeClusterKubeconfigs(paths.dir, apiserver.server, pki);
  await rec.update({ server: apiserver.server, kubeconfig: kubeconfigs.admin });
  log(`cluster: kube-apiserver ready at ${apiserver.server} (${since()}); starting the node`);
  const common = { dir: paths.dir, detached };
  await allStarted([
    rec.track('kube-controller-manager', startControllerManager({ ...common, binary: bins.controllerManager, kubeconfig: kubeconfigs.controllerManager }, pki)),
    rec.track('kube-scheduler', startScheduler({ ...common, binary: bins.scheduler, kubeconfig: kubeconfigs.scheduler })),
    rec.track('kubelet', startKubelet({ binary: bins.kubelet, paths, pki, kubeconfig: kubeconfigs.kubelet, detached })),
    rec.track('coredns', startCoredns({ ...common, binary: bins.coredns, kubeconfig: kubeconfigs.admin })),
    rec.track('kube-proxy', startKubeProxy({ ...common, binary: bins.kubeProxy, kubeconfig: kubeconfigs.kubeProxy })),
    rec.track('metrics-server', startMetricsServer({ ...common, binary: bins.metricsServer, kubeconfig: kubeconfigs.admin, pki })),
  ]);
  await waitForClusterReady(apiserver.server, await adminTls(pki));
  log(`cluster: node ${NODE_NAME} Ready at ${NODE_IP}, DNS on ${DNS_IP}:53 (${since()})`);
}

/** The handle tests use, from a state file (this process's cluster or `make cluster`'s). */
export function clusterHandle(state: ClusterState): Cluster {
  const paths = clusterPaths(state.dir);
  return {
    kubeconfig: state.kubeconfig,
    server: state.server,
    nodeIp: state.nodeIp,
    nodeName: state.nodeName,
    dnsIp: state.dnsIp,
    clusterDomain: CLUSTER_DOMAIN,
    serviceCidr: state.serviceCidr,
    podCidr: state.podCidr,
    dir: state.dir,
    stateFile: paths.stateFile,
    importImage: (tarPath) => importImage(paths, tarPath),
    kubectl: (args, stdin) => runKubectl(state.kubeconfig, args, stdin),
    stop: () => stopCluster(state.dir),
  };
}

export class ClusterStartError extends Error {
  readonly code = 'CLUSTER_START_FAILED';
}

/** The previous run's logs and PKI go; never with anything mounted below (rm would walk into it). */
async function clearFolder(dir: string): Promise<void> {
  const mounted = await mountsUnder(dir);
  if (mounted.length > 0) throw new ClusterStartError(`still mounted under ${dir}: ${mounted.join(' ')}`);
  await rm(dir, { recursive: true, force: true });
}

/** Tears down the cluster recorded in `dir`, if any; returns what it did. */
export async function stopCluster(dir: string): Promise<TeardownReport> {
  const paths = clusterPaths(dir);
  const state = await readClusterState(paths.stateFile).catch(() => undefined);
  if (state === undefined) return { done: [], failed: [] };
  const report = await teardownCluster(state);
  if (report.failed.length === 0) await rm(paths.stateFile, { force: true });
  return report;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const detached = opts.detached === true;
  const paths = clusterPaths(opts.dir);
  const leftover = await stopCluster(opts.dir);
  if (leftover.done.length > 0) log(`cluster: cleaned up a previous run: ${leftover.done.join('; ')}`);
  if (leftover.failed.length > 0) throw new ClusterStartError(`a previous run's teardown failed: ${leftover.failed.join('; ')}`);
  // Before anything is recorded: a failed start tears down what it recorded, and must never take
  // down another checkout's cluster.
  if (await bridgeExists()) throw new BridgeInUseError(`${BRIDGE} exists: another one-node cluster runs on this machine (make cluster-down in its checkout)`);
  await clearFolder(paths.dir);
  await mkdir(paths.pki, { recursive: true, mode: 0o700 });
  const rec = new Recorder(initialState(paths, await hostBefore(), detached));
  await rec.update();
  try {
    await boot(paths, rec, detached, log);
  } catch (err: unknown) {
    const report = await teardownCluster(rec.current);
    if (report.failed.length > 0) log(`cluster: teardown after a failed start left: ${report.failed.join('; ')}`);
    throw err;
  }
  if (detached) rec.release();
  return clusterHandle(rec.current);
}
