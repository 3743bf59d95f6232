// The images the cluster specs run: Bollard's own (the Dockerfile, as `make image` builds it), the
// echo backend and etcd for the chart's bundled StatefulSet. Built through scripts/image.sh (cached by a key of their inputs) and imported
// into the node's containerd once per bring-up: a marker beside the cluster's state names the
// tarball imported, and the cluster's folder (containerd's root with it) is new at every bring-up.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Cluster } from '../../harness/cluster/env.ts';
import { runScript } from '../../harness/script.ts';

/** As the kubelet asks for them (containerd names a docker archive's tags docker.io/…). */
export const BOLLARD_IMAGE = { repository: 'bollard/bollard', tag: 'dev' } as const;
export const ECHO_IMAGE = 'docker.io/bollard-test/echo:dev';
/** For the chart's bundled etcd (etcd.bundled.image.*). */
export const ETCD_IMAGE = { repository: 'bollard-test/etcd', tag: 'dev' } as const;

const IMAGES = ['bollard', 'echo', 'etcd'] as const;

export async function importOnce(cluster: Cluster, tarball: string, log: (line: string) => void): Promise<void> {
  const marker = join(cluster.dir, `imported-${basename(tarball)}`);
  if ((await readFile(marker, 'utf8').catch(() => '')) === tarball) return;
  const t0 = Date.now();
  await cluster.importImage(tarball);
  await writeFile(marker, tarball);
  log(`imported ${basename(tarball)} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

/** Builds (cached) and imports both images; returns the seconds it took. */
export async function provideImages(cluster: Cluster, log: (line: string) => void): Promise<number> {
  const t0 = Date.now();
  const tarballs = await Promise.all(IMAGES.map(async (what) => {
    const [path] = await runScript('image.sh', [what], log);
    if (path === undefined) throw new Error(`scripts/image.sh ${what} printed no tarball`);
    return path;
  }));
  for (const tarball of tarballs) await importOnce(cluster, tarball, log);
  return (Date.now() - t0) / 1000;
}
