// For cluster specs (test/cluster/**): the run's one-node cluster, from the state file the global
// setup names in BOLLARD_CLUSTER_STATE (or the `make cluster` one when a spec runs on its own).
import { clusterHandle } from './cluster.ts';
import type { Cluster } from './cluster.ts';
import { clusterPaths } from './layout.ts';
import { NODE_CLUSTER_DIR } from './running.ts';
import { CLUSTER_STATE_ENV, readClusterState } from './state.ts';

export type { Cluster } from './cluster.ts';

export async function theCluster(): Promise<Cluster> {
  const file = process.env[CLUSTER_STATE_ENV] ?? clusterPaths(NODE_CLUSTER_DIR).stateFile;
  return clusterHandle(await readClusterState(file));
}
