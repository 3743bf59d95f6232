// Finds a one-node cluster that is up: its state file names processes that all still run, and the
// API server answers. `make cluster`, `make cluster-down` and the Jest project `cluster` share it.
import { RUN_DIR } from '../repo.ts';
import { commandLine } from '../processes.ts';
import { clusterHandle } from './cluster.ts';
import type { Cluster } from './cluster.ts';
import { clusterPaths } from './layout.ts';
import { readClusterState } from './state.ts';

export const NODE_CLUSTER_DIR = `${RUN_DIR}/node-cluster`;

export async function runningCluster(dir: string): Promise<Cluster | undefined> {
  const state = await readClusterState(clusterPaths(dir).stateFile).catch(() => undefined);
  if (state === undefined || state.processes.length === 0 || state.kubeconfig === '') return undefined;
  if (!state.processes.every((p) => commandLine(p.pid).includes(p.name))) return undefined;
  const cluster = clusterHandle(state);
  const readyz = await cluster.kubectl(['get', '--raw', '/readyz']).catch(() => '');
  return readyz.trim() === 'ok' ? cluster : undefined;
}
