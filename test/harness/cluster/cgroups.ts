// The cgroups the kubelet (cgroupfs driver) and runc create: `kubepods` and everything below it,
// in every cgroup v1 hierarchy and in the unified (v2) one. Teardown kills what still runs in them
// — container processes outlive a killed shim — and removes them deepest first.
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signal } from '../processes.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';
const KUBEPODS = 'kubepods';

/** Every kubepods cgroup on the machine, one per hierarchy that has it. */
export async function kubepodsCgroups(): Promise<string[]> {
  const entries = await readdir(CGROUP_ROOT, { withFileTypes: true }).catch(() => []);
  const candidates = [join(CGROUP_ROOT, KUBEPODS), ...entries.filter((e) => e.isDirectory()).map((e) => join(CGROUP_ROOT, e.name, KUBEPODS))];
  const found = await Promise.all(candidates.map(async (c) => ((await readdir(c).catch(() => undefined)) === undefined ? undefined : c)));
  return found.filter((c) => c !== undefined);
}

/** `dir` and its descendant cgroups, deepest first. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const children = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => tree(join(dir, e.name))));
  return [...children.flat(), dir];
}

async function pidsIn(cgroups: readonly string[]): Promise<number[]> {
  const lists = await Promise.all(cgroups.map((c) => readFile(join(c, 'cgroup.procs'), 'utf8').catch(() => '')));
  return lists.join('\n').split('\n').filter((l) => l.trim() !== '').map(Number);
}

async function allKubepods(): Promise<string[]> {
  return (await Promise.all((await kubepodsCgroups()).map(tree))).flat();
}

/** SIGKILLs every process in the kubepods cgroups until none is left; returns how many it killed. */
export async function killKubepods(timeoutMs = 10_000): Promise<number> {
  const all = await allKubepods();
  const deadline = Date.now() + timeoutMs;
  const killed = new Set<number>();
  for (let pids = await pidsIn(all); pids.length > 0 && Date.now() < deadline; pids = await pidsIn(all)) {
    for (const pid of pids) if (signal(pid, 'SIGKILL')) killed.add(pid);
    await sleep(50);
  }
  return killed.size;
}

/**
 * Removes the kubepods cgroups, deepest first; returns those still present at the deadline. A
 * cgroup stays busy until its last process is reaped, which its shim does, so this runs after
 * the shims are gone and retries for a moment.
 */
export async function removeKubepods(timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left: string[] = [];
    for (const cgroup of await allKubepods()) await rmdir(cgroup).catch(() => left.push(cgroup));
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(100);
  }
}
