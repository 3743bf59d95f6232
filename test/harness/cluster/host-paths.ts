// Paths outside the cluster's folder that its programs write whatever they are told: runc shims'
// sockets in /run/containerd, the kubelet's device-plugin socket in /var/lib/kubelet, libcni's
// result cache in /var/lib/cni. Teardown removes a folder the cluster created, and only our own
// entries from one that was there before.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CNI_NETWORK } from './layout.ts';

export const HOST_PATHS = ['/run/containerd', '/var/lib/kubelet', '/var/lib/cni'] as const;

/** The HOST_PATHS that do not exist now: recorded before bring-up. */
export function absentHostPaths(): string[] {
  return HOST_PATHS.filter((p) => !existsSync(p));
}

/** libcni's cached results of our network's ADDs, and the loopback ones of the same containers. */
async function ourCniResults(): Promise<string[]> {
  const dir = '/var/lib/cni/results';
  const names = await readdir(dir).catch(() => []);
  const ids = names.map((n) => new RegExp(`^${CNI_NETWORK}-([0-9a-f]+)-`).exec(n)?.[1]).filter((id) => id !== undefined);
  return names.filter((n) => n.startsWith(`${CNI_NETWORK}-`) || ids.some((id) => n === `cni-loopback-${id}-lo`)).map((n) => join(dir, n));
}

/** Removes what the cluster left in HOST_PATHS; returns the paths removed. */
export async function cleanHostPaths(absentBefore: readonly string[]): Promise<string[]> {
  const created = HOST_PATHS.filter((p) => absentBefore.includes(p) && existsSync(p));
  const ours = [
    ...created,
    ...(absentBefore.includes('/var/lib/cni') ? [] : await ourCniResults()),
    ...(absentBefore.includes('/var/lib/kubelet') ? [] : ['/var/lib/kubelet/device-plugins/kubelet.sock'].filter((p) => existsSync(p))),
  ];
  await Promise.all(ours.map((p) => rm(p, { recursive: true, force: true })));
  return ours;
}
