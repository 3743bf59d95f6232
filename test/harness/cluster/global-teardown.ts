// Jest globalTeardown for the `cluster` project: takes down the cluster this run brought up, and
// only that one — a cluster from `make cluster` keeps running for the next run.
import { stopCluster } from './cluster.ts';
import { CLUSTER_STATE_ENV, readClusterState } from './state.ts';

const log = (line: string): void => void process.stderr.write(`[cluster] ${line}\n`);

export default async function globalTeardown(): Promise<void> {
  const file = process.env[CLUSTER_STATE_ENV];
  if (file === undefined) return;
  const state = await readClusterState(file).catch(() => undefined);
  if (state?.owner !== process.pid) return;
  const t0 = Date.now();
  const report = await stopCluster(state.dir);
  for (const line of report.failed) log(`teardown FAILED: ${line}`);
  log(`teardown: ${((Date.now() - t0) / 1000).toFixed(1)}s${report.failed.length > 0 ? ', incomplete' : ''}`);
  if (report.failed.length > 0) throw new Error(`cluster teardown incomplete: ${report.failed.join('; ')}`);
}
