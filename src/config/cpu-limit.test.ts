import { describe, expect, it } from '@jest/globals';
import { cgroupCpuLimit, usableCpus } from './cpu-limit.ts';

const files = (entries: Record<string, string>) => (path: string): string | undefined => entries[path];

describe('usableCpus', () => {
  it('takes the cgroup v2 quota, rounded up', () => {
    expect(usableCpus(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }), 64)).toBe(2);
    expect(usableCpus(files({ '/sys/fs/cgroup/cpu.max': '50000 100000\n' }), 64)).toBe(1);
  });

  it('never exceeds the CPUs the process may run on', () => {
    expect(usableCpus(files({ '/sys/fs/cgroup/cpu.max': '800000 100000' }), 2)).toBe(2);
  });

  it('uses all CPUs without a limit ("max", no files)', () => {
    expect(usableCpus(files({ '/sys/fs/cgroup/cpu.max': 'max 100000' }), 8)).toBe(8);
    expect(usableCpus(files({}), 8)).toBe(8);
  });

  it('reads cgroup v1 quota and period; -1 means no limit', () => {
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '300000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBe(3);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' }))).toBeUndefined();
  });

  it('ignores unreadable values', () => {
    expect(usableCpus(files({ '/sys/fs/cgroup/cpu.max': 'garbage' }), 4)).toBe(4);
  });
});
