// Takes a one-node cluster down from its state file and leaves the machine as it was: processes
// stopped by PID (the shims and container processes too, which outlive a stopped containerd),
// kube-proxy's and the CNI plugins' chains, mounts, Pod network namespaces, the bridge, kubepods
// cgroups, the data folders (logs stay), and the kernel settings written back. Every step runs
// even when an earlier one fails, and running it twice is harmless.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ETCD_DATA_DIR } from '../etcd.ts';
import { commandLine, killPid } from '../processes.ts';
import { killKubepods, removeKubepods } from './cgroups.ts';
import { shimPids } from './containerd.ts';
import { cleanHostPaths } from './host-paths.ts';
import { clusterPaths } from './layout.ts';
import { unmountAll, removeNewNetns } from './mounts.ts';
import { destroyBridge } from './network.ts';
import { dropNewEmptyTables, sweepChains } from './packet-filter.ts';
import { cleanupKubeProxy } from './kube-proxy.ts';
import type { ClusterState, RecordedProcess } from './state.ts';
import { restoreSysctls } from './sysctls.ts';

const run = promisify(execFile);
/** Everything in the cluster's folder but the logs, the PKI and the configuration files. */
const DATA = ['containerd', 'kubelet', 'cni', 'pod-logs', ETCD_DATA_DIR];
/** Stopped after the Pods' processes are gone, in this order. */
const LAST = ['containerd', 'kube-apiserver', 'etcd'];

export interface TeardownReport {
  /** One line per thing found and removed or restored. */
  readonly done: string[];
  /** One line per thing that could not be removed (the teardown is incomplete). */
  readonly failed: string[];
}

async function stop(proc: RecordedProcess): Promise<boolean> {
  if (!commandLine(proc.pid).includes(proc.name)) return false;
  await killPid(proc.pid);
  return true;
}

async function step(report: { done: string[]; failed: string[] }, what: string, fn: () => Promise<string | undefined>): Promise<void> {
  try {
    const line = await fn();
    if (line !== undefined && line !== '') report.done.push(line);
  } catch (err: unknown) {
    report.failed.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function removeData(dir: string): Promise<string | undefined> {
  const present = (await readdir(dir).catch(() => [])).filter((e) => DATA.includes(e));
  // --one-file-system: should anything still be mounted inside (a hostPath bind mount), rm must
  // not walk into the host's own files.
  if (present.length > 0) await run('rm', ['-rf', '--one-file-system', ...present.map((e) => join(dir, e))]);
  return present.length > 0 ? `removed ${present.join(', ')} from ${dir}` : undefined;
}

export async function teardownCluster(state: ClusterState): Promise<TeardownReport> {
  const report = { done: [] as string[], failed: [] as string[] };
  const paths = clusterPaths(state.dir);
  const first = [...state.processes].reverse().filter((p) => !LAST.includes(p.name));
  const last = LAST.map((name) => state.processes.find((p) => p.name === name)).filter((p) => p !== undefined);
  await step(report, 'stop components', async () => {
    const stopped = await Promise.all(first.map(async (p) => ((await stop(p)) ? `${p.name} ${p.pid}` : '')));
    return stopped.some((s) => s !== '') ? `stopped ${stopped.filter((s) => s !== '').join(', ')}` : undefined;
  });
  await step(report, 'Pod processes', async () => {
    const killed = await killKubepods();
    return killed > 0 ? `killed ${killed} Pod processes` : undefined;
  });
  await step(report, 'shims', async () => {
    const pids = await shimPids(paths);
    await Promise.all(pids.map((pid) => killPid(pid, 2000)));
    return pids.length > 0 ? `stopped ${pids.length} containerd shims` : undefined;
  });
  for (const proc of last) await step(report, `stop ${proc.name}`, async () => ((await stop(proc)) ? `stopped ${proc.name} ${proc.pid}` : undefined));
  await step(report, 'kubepods cgroups', async () => {
    const left = await removeKubepods();
    if (left.length > 0) throw new Error(`still present: ${left.join(' ')}`);
    return undefined;
  });
  await step(report, 'kube-proxy --cleanup', async () => {
    await cleanupKubeProxy(state.kubeProxyBinary);
    await sweepChains();
    const dropped = await dropNewEmptyTables(state.host.nftTables);
    return dropped.length > 0 ? `removed nftables tables ${dropped.join(', ')}` : undefined;
  });
  await step(report, 'mounts', async () => {
    const left = await unmountAll(state.dir);
    if (left.length > 0) throw new Error(`still mounted: ${left.join(' ')}`);
    const netns = await removeNewNetns(state.host.netns);
    return netns.length > 0 ? `removed network namespaces ${netns.join(', ')}` : undefined;
  });
  await step(report, 'bridge', async () => {
    await destroyBridge();
    return undefined;
  });
  await step(report, 'sysctls', async () => {
    const restored = await restoreSysctls(state.host.sysctls);
    return restored.length > 0 ? `restored ${restored.join(', ')}` : undefined;
  });
  await step(report, 'host paths', async () => {
    const removed = await cleanHostPaths(state.host.absentPaths);
    return removed.length > 0 ? `removed ${removed.join(', ')}` : undefined;
  });
  // Only once nothing is mounted: rm must not meet a mount it could descend into.
  if (report.failed.every((f) => !f.startsWith('mounts'))) await step(report, 'data', () => removeData(state.dir));
  return report;
}
