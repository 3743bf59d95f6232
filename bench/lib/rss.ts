import { readFile } from 'node:fs/promises';
import { processTree } from './proc.ts';

/** Resident set size of a process in MiB, from /proc. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

/** Summed RSS of `root` and its descendants (nginx master + workers, Bollard + workers), in MiB. */
export async function treeRssMiB(root: number): Promise<number> {
  const each = await Promise.all((await processTree(root)).map((pid) => rssMiB(pid).catch(() => 0)));
  return each.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
}
