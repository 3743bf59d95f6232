// Mounts the kubelet and containerd leave when stopped hard: overlay root filesystems, sandbox
// /dev/shm, projected and emptyDir tmpfs volumes, the kubelet's shared bind mount of its own root,
// and the CRI's network namespaces under /run/netns. Unmounted deepest first, lazily when busy.
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescape = (path: string): string => path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Mount points at or below `prefix`, deepest (and most recently stacked) first. */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .map((line) => unescape(line.split(' ')[4] ?? ''))
    .filter((p) => p === prefix || p.startsWith(`${prefix}/`));
  return points.reverse().sort((a, b) => b.split('/').length - a.split('/').length);
}

async function unmount(path: string): Promise<void> {
  await run('umount', [path]).catch(() => run('umount', ['-l', path]).catch(() => undefined));
}

/** Unmounts everything at or below `prefix`; returns what is still mounted (should be nothing). */
export async function unmountAll(prefix: string): Promise<string[]> {
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(prefix);
    if (points.length === 0) return [];
    for (const point of points) await unmount(point);
  }
  return mountsUnder(prefix);
}

export const NETNS_DIR = '/run/netns';

/** The CRI's Pod network namespaces (cni-<uuid>) in /run/netns. */
export async function criNetns(): Promise<string[]> {
  const names = await readdir(NETNS_DIR).catch(() => []);
  return names.filter((n) => n.startsWith('cni-'));
}

/** Deletes the cni-* namespaces that were not there before bring-up; returns them. */
export async function removeNewNetns(before: readonly string[]): Promise<string[]> {
  const created = (await criNetns()).filter((n) => !before.includes(n));
  for (const name of created) {
    await unmountAll(`${NETNS_DIR}/${name}`);
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
  }
  return created;
}
