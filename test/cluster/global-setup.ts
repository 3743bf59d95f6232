// Jest globalSetup of the `cluster` project: the one-node cluster (the running `make cluster` one,
// else one for this run), then the images the specs run — Bollard's and the echo backend's —
// built (cached) and imported into the node. Bring-up and image times are printed.
import { writeFile } from 'node:fs/promises';
import clusterSetup from '../harness/cluster/global-setup.ts';
import { theCluster } from '../harness/cluster/env.ts';
import { provideImages } from './support/images.ts';
import { SUMMARY_FILE } from './support/summary.ts';

const log = (line: string): void => void process.stderr.write(`[cluster] ${line}\n`);

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  await clusterSetup();
  const seconds = await provideImages(await theCluster(), log);
  log(`images ready in ${seconds.toFixed(1)}s; set-up ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  await writeFile(SUMMARY_FILE, '');
  process.env.BOLLARD_CLUSTER_SUITE_START = String(t0);
}
