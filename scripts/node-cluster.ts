// `make cluster` / `make cluster-down`: the one-node cluster (test/harness/cluster/) in
// .run/node-cluster/, detached. `node-up` reports a running one instead of starting another; the
// Jest project `cluster` uses a running one too (its state file) and leaves it running.
import { NODE_CLUSTER_DIR, runningCluster } from '../test/harness/cluster/running.ts';
import { startCluster, stopCluster } from '../test/harness/cluster/cluster.ts';
import type { Cluster } from '../test/harness/cluster/cluster.ts';

function printAccess(say: (line: string) => void, cluster: Cluster): void {
  say(`node ${cluster.nodeName} at ${cluster.nodeIp}; Services ${cluster.serviceCidr}, Pods ${cluster.podCidr}, DNS ${cluster.dnsIp}`);
  say(`state: ${cluster.stateFile} (logs in ${cluster.dir})`);
  say(`export KUBECONFIG=${cluster.kubeconfig}`);
}

/** Exit code: 1 when the cluster could not start (it has been torn down again). */
export async function nodeUp(say: (line: string) => void): Promise<number> {
  try {
    await bringUp(say);
    return 0;
  } catch (err: unknown) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? ` [${String(err.code)}]` : '';
    process.stderr.write(`cluster: failed${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function bringUp(say: (line: string) => void): Promise<void> {
  const running = await runningCluster(NODE_CLUSTER_DIR);
  if (running !== undefined) {
    say('cluster already running');
    printAccess(say, running);
    return;
  }
  const t0 = Date.now();
  // Ctrl-C while starting: exit through the 'exit' hook, which kills what has started so far.
  process.once('SIGINT', () => process.exit(130));
  const cluster = await startCluster({ dir: NODE_CLUSTER_DIR, detached: true, log: say });
  say(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  printAccess(say, cluster);
}

/** Exit code: 1 when something could not be removed. */
export async function nodeDown(say: (line: string) => void): Promise<number> {
  const t0 = Date.now();
  const report = await stopCluster(NODE_CLUSTER_DIR);
  for (const line of report.done) say(`cluster-down: ${line}`);
  for (const line of report.failed) say(`cluster-down: FAILED ${line}`);
  if (report.done.length === 0 && report.failed.length === 0) say('cluster-down: no cluster recorded in .run/node-cluster');
  else say(`cluster-down: done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return report.failed.length > 0 ? 1 : 0;
}
