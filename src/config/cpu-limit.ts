// How many CPUs this process may really use, for `--workers auto`: the CPUs it may run on
// (affinity), capped by a container CPU limit (cgroup v2 `cpu.max`, or v1 `cfs_quota_us` /
// `cfs_period_us`), rounded up. A pod limited to 1.5 CPUs on a 64-core node gets 2 workers, not 64.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Reads a cgroup file; undefined when it does not exist. Passed in so tests can fake the files. */
export type CgroupReader = (path: string) => string | undefined;

const readIfPresent: CgroupReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export function cgroupCpuLimit(read: CgroupReader = readIfPresent): number | undefined {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  if (v2 !== undefined) {
    const [quota, period] = v2.trim().split(/\s+/);
    return limitOf(quota, period);
  }
  return limitOf(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim(), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim());
}

function limitOf(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  if (quota === 'max' || !Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

export function usableCpus(read: CgroupReader = readIfPresent, cpus: number = availableParallelism()): number {
  const limit = cgroupCpuLimit(read);
  return Math.max(1, limit === undefined ? cpus : Math.min(cpus, limit));
}
