// Jest globalTeardown of the `cluster` project: the scenarios' summary lines once more, together,
// and the suite's time; then the cluster goes if this run brought it up.
import { readFile } from 'node:fs/promises';
import clusterTeardown from '../harness/cluster/global-teardown.ts';
import { SUMMARY_FILE } from './support/summary.ts';

export default async function globalTeardown(): Promise<void> {
  const lines = await readFile(SUMMARY_FILE, 'utf8').catch(() => '');
  const start = Number(process.env.BOLLARD_CLUSTER_SUITE_START ?? Date.now());
  process.stderr.write(`\n${lines}as-pods: suite ${((Date.now() - start) / 1000).toFixed(0)}s (set-up included)\n`);
  await clusterTeardown();
}
