// Jest globalSetup for the `cluster` project: uses the one-node cluster `make cluster` left running,
// or brings one up for this run (torn down by global-teardown.ts). Either way the state file's path
// goes to the workers in BOLLARD_CLUSTER_STATE.
import { startCluster } from './cluster.ts';
import { NODE_CLUSTER_DIR, runningCluster } from './running.ts';
import { CLUSTER_STATE_ENV } from './state.ts';

const log = (line: string): void => void process.stderr.write(`[cluster] ${line}\n`);

export default async function globalSetup(): Promise<void> {
  const running = await runningCluster(NODE_CLUSTER_DIR);
  if (running !== undefined) {
    log(`using the running cluster (make cluster): ${running.stateFile}`);
    process.env[CLUSTER_STATE_ENV] = running.stateFile;
    return;
  }
  const t0 = Date.now();
  const cluster = await startCluster({ dir: NODE_CLUSTER_DIR, log });
  process.env[CLUSTER_STATE_ENV] = cluster.stateFile;
  log(`bring-up: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
