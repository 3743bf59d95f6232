// Side-by-side measurement: every contestant runs the same wrk scenario in each round, the order
// rotating from round to round so no contestant always follows the same neighbour; medians of the
// rounds are reported, and ratios are the median of per-round ratios (paired, so slow drift of the
// shared machine's background load cancels out).
import type { CpuPlan } from './cpu-plan.ts';
import type { ResponseBody } from './nginx-config.ts';
import type { QuietGate } from './quiet.ts';
import { busyCpuSeconds, cpuBusyPercent, ownCpuSeconds, readCpuTimes, treeCpuSeconds, type CpuTimes } from './proc.ts';
import { treeRssMiB } from './rss.ts';
import { median, round } from './stats.ts';
import { runWrk, type WrkResult, type WrkTarget } from './wrk.ts';

export type Proto = 'http' | 'https';

export interface Contestant {
  readonly name: string;
  /** Root of the process tree measured for CPU and RSS. */
  readonly pid: number;
  /** Where to send each protocol; a protocol without a target is skipped with `skipped[proto]`. */
  readonly targets: Partial<Record<Proto, { readonly ip: string; readonly port: number }>>;
  readonly skipped?: Partial<Record<Proto, string>>;
  /** Limits the contestant to some scenarios (a reference measured only where it matters). */
  readonly only?: (s: Scenario) => boolean;
  /** Run after each measurement (e.g. empty the access log). */
  readonly afterRun?: () => Promise<void>;
}

export interface Scenario {
  readonly proto: Proto;
  readonly connections: number;
  readonly body: ResponseBody;
}

export const scenarioKey = (s: Scenario): string => `${s.proto} c${s.connections} ${s.body.name}`;

export interface Sample {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rssMiB: number;
  /** CPU used by the contestant's processes, in % of one core. */
  readonly cpuPct: number;
  /** Requests per CPU second of the contestant: its cost per request, whatever share of a core it got. */
  readonly requestsPerCpuSecond: number;
  readonly backendCpuPct: number;
  /** CPU used by processes this benchmark did not start, in % of one core: the noise. */
  readonly otherCpuPct: number;
  /** Time spent waiting for the machine to calm down before this run. */
  readonly quietWaitMs: number;
  /** Busy % of each CPU over the run (everything on the machine, not only the benchmark). */
  readonly cpuBusyPct: readonly number[];
  readonly bytesPerResponse: number;
  readonly errors: number;
  /** wrk's counts when errors > 0: non-2xx/3xx answers and socket errors by kind. */
  readonly errorKinds?: Readonly<Record<string, number>>;
}

export interface ContestOptions {
  readonly plan: CpuPlan;
  readonly dir: string;
  readonly host: string;
  readonly seconds: number;
  readonly rounds: number;
  readonly backendPid: number;
  readonly quiet?: QuietGate;
  readonly say: (line: string) => void;
}

async function sampleRss(pid: number, stop: AbortSignal): Promise<number> {
  let max = 0;
  while (!stop.aborted) {
    max = Math.max(max, await treeRssMiB(pid).catch(() => 0));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return max;
}

interface Reading {
  readonly at: number;
  readonly contestant: number;
  readonly backend: number;
  readonly own: number;
  readonly machine: CpuTimes;
}

async function read(pid: number, backendPid: number): Promise<Reading> {
  const [contestant, backend, own, machine] = await Promise.all([treeCpuSeconds(pid), treeCpuSeconds(backendPid), ownCpuSeconds(), readCpuTimes()]);
  return { at: performance.now(), contestant, backend, own, machine };
}

export async function measure(c: Contestant, s: Scenario, o: ContestOptions): Promise<Sample> {
  const addr = c.targets[s.proto];
  if (addr === undefined) throw new Error(`${c.name} has no ${s.proto} target`);
  const target: WrkTarget = { proto: s.proto, host: o.host, ip: addr.ip, port: addr.port, path: s.body.path };
  const quietWaitMs = (await o.quiet?.wait()) ?? 0;
  const before = await read(c.pid, o.backendPid);
  const stop = new AbortController();
  const rss = sampleRss(c.pid, stop.signal);
  const wrk = await runWrk(target, { plan: o.plan, dir: o.dir, connections: s.connections, seconds: o.seconds }).finally(() => { stop.abort(); });
  const after = await read(c.pid, o.backendPid);
  await c.afterRun?.();
  const wall = (after.at - before.at) / 1000;
  const used = after.contestant - before.contestant;
  const e = wrk.socketErrors;
  return {
    requestsPerSecond: round(wrk.requestsPerSecond, 0),
    p50Ms: round(wrk.latencyMs.p50, 3),
    p99Ms: round(wrk.latencyMs.p99, 3),
    rssMiB: round(await rss, 1),
    cpuPct: round((100 * used) / wall, 0),
    requestsPerCpuSecond: round(wrk.requests / Math.max(0.01, used), 0),
    backendCpuPct: round((100 * (after.backend - before.backend)) / wall, 0),
    otherCpuPct: round(Math.max(0, (100 * (busyCpuSeconds(before.machine, after.machine) - (after.own - before.own))) / wall), 0),
    quietWaitMs,
    cpuBusyPct: cpuBusyPercent(before.machine, after.machine).map((p) => round(p, 0)),
    bytesPerResponse: round(wrk.bytesRead / Math.max(1, wrk.requests), 0),
    ...errorFields(wrk.non2xx3xx, e),
  };
}

function errorFields(non2xx3xx: number, e: WrkResult['socketErrors']): Pick<Sample, 'errors' | 'errorKinds'> {
  const errors = non2xx3xx + e.connect + e.read + e.write + e.timeout;
  return errors === 0 ? { errors } : { errors, errorKinds: { non2xx3xx, ...e } };
}

export const describeSample = (x: Sample): string =>
  `${Math.round(x.requestsPerSecond).toLocaleString('en-US')} req/s, p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms, RSS ${x.rssMiB} MiB, CPU ${x.cpuPct}% ` +
  `(${Math.round(x.requestsPerCpuSecond).toLocaleString('en-US')} req/CPU-s; backend ${x.backendCpuPct}%, other work ${x.otherCpuPct}%` +
  `${x.quietWaitMs > 0 ? `, waited ${(x.quietWaitMs / 1000).toFixed(1)} s for quiet` : ''})${x.errors > 0 ? `, ${x.errors} ERRORS ${JSON.stringify(x.errorKinds)}` : ''}`;

/** Each round runs every contestant once, rotating the order; returns the samples by contestant. */
export async function contest(contestants: readonly Contestant[], s: Scenario, o: ContestOptions): Promise<Map<string, Sample[]>> {
  const entrants = contestants.filter((c) => c.targets[s.proto] !== undefined && (c.only?.(s) ?? true));
  const out = new Map<string, Sample[]>(entrants.map((c) => [c.name, []]));
  for (let r = 0; r < o.rounds; r++) {
    const order = entrants.map((_, i) => entrants[(i + r) % entrants.length]);
    for (const c of order) {
      if (c === undefined) continue;
      const sample = await measure(c, s, o);
      out.get(c.name)?.push(sample);
      o.say(`  [${scenarioKey(s)}] round ${r + 1}/${o.rounds} ${c.name}: ${describeSample(sample)}`);
    }
  }
  return out;
}

export interface Summary {
  readonly requestsPerSecond: number;
  readonly requestsPerCpuSecond: number;
  readonly otherCpuPct: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rssMiB: number;
  readonly cpuPct: number;
  readonly errors: number;
  readonly rounds: readonly Sample[];
}

export function summarize(samples: readonly Sample[]): Summary {
  const med = (f: (x: Sample) => number): number => median(samples.map(f));
  return {
    requestsPerSecond: med((x) => x.requestsPerSecond), requestsPerCpuSecond: med((x) => x.requestsPerCpuSecond), otherCpuPct: med((x) => x.otherCpuPct), p50Ms: med((x) => x.p50Ms), p99Ms: med((x) => x.p99Ms),
    rssMiB: med((x) => x.rssMiB), cpuPct: med((x) => x.cpuPct), errors: samples.reduce((a, x) => a + x.errors, 0), rounds: samples,
  };
}

/** Other work below this (% of one core) during a run counts as a quiet run. */
export const QUIET_OTHER_PCT = 25;

const bothQuiet = (x: Sample, y: Sample): boolean => x.otherCpuPct < QUIET_OTHER_PCT && y.otherCpuPct < QUIET_OTHER_PCT;

/** Median over rounds of a[i]/b[i] for one figure; with `quietOnly`, only rounds where both ran quiet. */
export function pairedRatio(a: readonly Sample[], b: readonly Sample[], f: (x: Sample) => number, quietOnly = false): number {
  const ratios: number[] = [];
  a.forEach((x, i) => {
    const y = b[i];
    if (y === undefined || (quietOnly && !bothQuiet(x, y))) return;
    const r = f(x) / f(y);
    if (Number.isFinite(r)) ratios.push(r);
  });
  return round(median(ratios), 3);
}

/** Rounds in which both contestants ran with little other work on the machine. */
export const quietPairs = (a: readonly Sample[], b: readonly Sample[]): number => a.filter((x, i) => { const y = b[i]; return y !== undefined && bothQuiet(x, y); }).length;
