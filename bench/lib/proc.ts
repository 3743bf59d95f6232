// Reads of /proc for the benchmarks: a process and its descendants, their CPU time, and the
// machine's per-CPU busy time. Processes that vanish between two reads are skipped.
import { readdir, readFile } from 'node:fs/promises';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat and of /proc/stat (100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

interface StatFields {
  readonly ppid: number;
  readonly cpuTicks: number;
  /** CPU of children that exited and were waited for (e.g. a finished wrk). */
  readonly childTicks: number;
}

async function readStat(pid: number): Promise<StatFields | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state, ppid, … utime is field 14, stime 15 (1-based).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** `root` and every process descended from it (e.g. nginx's master and workers). */
export async function processTree(root: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const parents = new Map<number, number>();
  await Promise.all(pids.map(async (pid) => {
    const stat = await readStat(pid);
    if (stat) parents.set(pid, stat.ppid);
  }));
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) { tree.add(pid); grew = true; }
    }
  }
  return [...tree].filter((pid) => parents.has(pid));
}

/** CPU seconds (user + system, all threads) used so far by `root` and its descendants. */
export async function treeCpuSeconds(root: number): Promise<number> {
  const stats = await Promise.all((await processTree(root)).map(readStat));
  return stats.reduce((sum, s) => sum + (s?.cpuTicks ?? 0), 0) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by this process, everything it started that still runs, and its
 * children that already exited: what the benchmark itself costs the machine.
 */
export async function ownCpuSeconds(): Promise<number> {
  const self = await readStat(process.pid);
  return (await treeCpuSeconds(process.pid)) + (self?.childTicks ?? 0) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds of each thread of `pid`, added up by thread name (main "node", "V8 DefaultWorke", "libuv-worker"…). */
export async function threadCpuSeconds(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const tids = await readdir(`/proc/${pid}/task`).catch(() => []);
  await Promise.all(tids.map(async (tid) => {
    try {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_SECOND);
    } catch {
      // the thread ended
    }
  }));
  return out;
}

export interface CpuTimes {
  /** Per CPU index: [busy ticks, total ticks]. */
  readonly perCpu: ReadonlyMap<number, readonly [number, number]>;
}

export async function readCpuTimes(): Promise<CpuTimes> {
  const perCpu = new Map<number, readonly [number, number]>();
  for (const line of (await readFile('/proc/stat', 'utf8')).split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    const t = (m[2] ?? '').trim().split(/\s+/).slice(0, 8).map(Number);
    const total = t.reduce((a, b) => a + b, 0);
    const idle = (t[3] ?? 0) + (t[4] ?? 0);
    perCpu.set(Number(m[1]), [total - idle, total]);
  }
  return { perCpu };
}

/** Busy CPU seconds of the whole machine between two readings (all CPUs added up). */
export function busyCpuSeconds(before: CpuTimes, after: CpuTimes): number {
  let ticks = 0;
  for (const [cpu, [busy1]] of after.perCpu) ticks += busy1 - (before.perCpu.get(cpu)?.[0] ?? 0);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** Busy percentage of each CPU between two readings, indexed by CPU number. */
export function cpuBusyPercent(before: CpuTimes, after: CpuTimes): number[] {
  const out: number[] = [];
  for (const [cpu, [busy1, total1]] of after.perCpu) {
    const [busy0, total0] = before.perCpu.get(cpu) ?? [0, 0];
    out[cpu] = total1 > total0 ? (100 * (busy1 - busy0)) / (total1 - total0) : 0;
  }
  return out;
}
