// What a one-node cluster bring-up records, as JSON in its folder, so other processes — Jest
// workers, the global teardown, `make cluster-down`, the next bring-up after a crash — can use the
// cluster or take it down completely: the processes by PID, and the machine's state from before
// (kernel settings, network namespaces, nftables tables) that teardown returns to.
import { readFile, writeFile } from 'node:fs/promises';
import type { Sysctls } from './sysctls.ts';

export interface RecordedProcess {
  /** The program's name, part of its command line: guards against a reused PID. */
  readonly name: string;
  readonly pid: number;
}

export interface HostBefore {
  readonly sysctls: Sysctls;
  readonly netns: readonly string[];
  readonly nftTables: readonly string[];
  /** Of host-paths.ts's HOST_PATHS, those that did not exist: teardown removes them. */
  readonly absentPaths: readonly string[];
}

export interface ClusterState {
  readonly dir: string;
  /** The process that owns the cluster: 0 for `make cluster` (detached), else the Jest process. */
  readonly owner: number;
  readonly kubeconfig: string;
  readonly server: string;
  readonly nodeIp: string;
  readonly nodeName: string;
  readonly dnsIp: string;
  readonly serviceCidr: string;
  readonly podCidr: string;
  readonly containerdSocket: string;
  /** In start order; teardown stops them in reverse. */
  readonly processes: readonly RecordedProcess[];
  readonly kubeProxyBinary: string;
  readonly host: HostBefore;
}

export const CLUSTER_STATE_ENV = 'BOLLARD_CLUSTER_STATE';

export class ClusterStateError extends Error {
  readonly code = 'CLUSTER_STATE_INVALID';
}

function isState(value: unknown): value is ClusterState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const strings = ['dir', 'kubeconfig', 'server', 'nodeIp', 'containerdSocket', 'kubeProxyBinary'].every((k) => typeof v[k] === 'string');
  const host = v.host as Record<string, unknown> | undefined;
  return strings && Array.isArray(v.processes) && typeof host === 'object' && typeof host.sysctls === 'object';
}

export async function readClusterState(path: string): Promise<ClusterState> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err: unknown) {
    throw new ClusterStateError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isState(parsed)) throw new ClusterStateError(`${path} is not a cluster state file`);
  return parsed;
}

export async function writeClusterState(path: string, state: ClusterState): Promise<void> {
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`);
}
