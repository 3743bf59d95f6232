// How a benchmark splits the machine's cores: the proxy under test gets a core of its own, the
// load generator, the backend and everything else (control plane, this script) the others.
// Pinning uses taskset (util-linux); without it, or on one core, nothing is pinned.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TASKSET = '/usr/bin/taskset';

export interface CpuPlan {
  readonly pinned: boolean;
  /** The one core a single-process proxy runs on. */
  readonly proxy: readonly number[];
  /** The cores a proxy may use in the workers=2 comparison. */
  readonly proxyScaled: readonly number[];
  readonly wrk: readonly number[];
  readonly backend: readonly number[];
  /** Control plane, idle contestants' neighbours, this script. */
  readonly rest: readonly number[];
  readonly description: string;
}

const list = (cpus: readonly number[]): string => cpus.join(',');

export function planCpus(count: number, hasTaskset = existsSync(TASKSET)): CpuPlan {
  if (!hasTaskset || count < 2) {
    const all = Array.from({ length: count }, (_, i) => i);
    const why = hasTaskset ? 'one CPU' : 'no taskset';
    return { pinned: false, proxy: all, proxyScaled: all, wrk: all, backend: all, rest: all, description: `not pinned (${why}): every process shares CPUs ${list(all)}` };
  }
  if (count === 2) {
    return {
      pinned: true, proxy: [1], proxyScaled: [0, 1], wrk: [0], backend: [0], rest: [0],
      description: 'proxy under test on CPU 1; wrk, the backend nginx, the control plane and the bench script on CPU 0; the workers=2 runs let the proxy use CPUs 0-1',
    };
  }
  const wrk = count >= 4 ? [3] : [2];
  const proxyScaled = count >= 4 ? [1, 2] : [0, 1];
  return {
    pinned: true, proxy: [1], proxyScaled, wrk, backend: [0], rest: [0],
    description: `proxy under test on CPU 1; wrk on CPU ${list(wrk)}; the backend nginx, the control plane and the bench script on CPU 0; the workers=2 runs let the proxy use CPUs ${list(proxyScaled)}`,
  };
}

/** `command args` run on `cpus` (through taskset when the plan pins). */
export function pinnedCommand(plan: CpuPlan, cpus: readonly number[], command: string, args: readonly string[]): [string, string[]] {
  return plan.pinned ? [TASKSET, ['-c', list(cpus), command, ...args]] : [command, [...args]];
}

/** Moves an already running process, all its threads included, onto `cpus`. */
export async function pinProcess(plan: CpuPlan, pid: number, cpus: readonly number[]): Promise<void> {
  if (plan.pinned) await run(TASKSET, ['-a', '-cp', list(cpus), String(pid)]);
}
