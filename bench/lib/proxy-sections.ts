// The measured parts of the proxy benchmark, run against the lineup: the scenario matrix, the CPU
// profile of Bollard, the large table, and workers=2 vs 1. Each prints progress as it goes.
import { contest, describeSample, measure, summarize, type Contestant, type Scenario, type Summary } from './contest.ts';
import { summarizeCpuProfiles, type ProfileSummary } from './cpu-profile.ts';
import { threadCpuSeconds } from './proc.ts';
import { BODIES } from './nginx-config.ts';
import { compare, HEADLINE, isOk, quietNote, type Comparison, type Failed, type ProxyEnv, type Skipped } from './proxy-bench.ts';
import type { Lineup, ManyHosts, Workers } from './proxy-lineup.ts';
import { scenarioLine, scenarioResult, type ScenarioResult } from './proxy-report.ts';

const CONNECTIONS = [64, 256];
// A fresh Node process needs a while under load before it runs at full speed (JIT tiers, heap
// sizing): Bollard took 60,000-100,000 requests in our runs, the minimal relay far fewer. Each Node
// contestant is warmed in slices until its cost per request settles (two slices within 10%).
const WARMUP_SLICE_SECONDS = 3;
const WARMUP_MAX_SLICES = 6;
const WARMUP_SETTLED = 0.1;

/** Unrecorded runs of each contestant until its req/CPU-s settles (or the slices run out). */
export async function warmUp(env: ProxyEnv, contestants: readonly Contestant[], scenario: Scenario = HEADLINE): Promise<void> {
  const { quiet: _quiet, ...rest } = env.opts;
  for (const c of contestants) {
    const seen: number[] = [];
    for (let i = 0; i < WARMUP_MAX_SLICES; i++) {
      const now = (await measure(c, scenario, { ...rest, seconds: WARMUP_SLICE_SECONDS })).requestsPerCpuSecond;
      const before = seen.at(-1);
      seen.push(now);
      if (before !== undefined && Math.abs(now - before) <= WARMUP_SETTLED * before) break;
    }
    const settled = seen.length < WARMUP_MAX_SLICES ? 'settled' : 'not settled, going on';
    env.say(`  warm-up ${c.name}: ${seen.length} × ${WARMUP_SLICE_SECONDS} s, req/CPU-s ${seen.map((x) => Math.round(x).toLocaleString('en-US')).join(' → ')} (${settled})`);
  }
}

export async function runMatrix(env: ProxyEnv, contestants: readonly Contestant[]): Promise<ScenarioResult[]> {
  const scenarios: Scenario[] = (['http', 'https'] as const).flatMap((proto) => CONNECTIONS.flatMap((connections) => BODIES.map((body) => ({ proto, connections, body }))));
  const results: ScenarioResult[] = [];
  for (const [i, s] of scenarios.entries()) {
    const entered = (c: Contestant): boolean => c.only?.(s) ?? true;
    const runnable = contestants.filter((c) => c.targets[s.proto] !== undefined && entered(c));
    const skipped = new Map(contestants.filter((c) => c.targets[s.proto] === undefined && entered(c)).map((c) => [c.name, c.skipped?.[s.proto] ?? `no ${s.proto} target`]));
    env.say(`proxy: scenario ${i + 1}/${scenarios.length} ${s.proto} c${s.connections} ${s.body.name}: ${runnable.map((c) => c.name).join(', ')} × ${env.args.rounds} rounds of ${env.args.seconds} s`);
    const result = scenarioResult(s, await contest(runnable, s, env.opts), skipped);
    env.say(scenarioLine(result));
    results.push(result);
  }
  return results;
}

export type ProfileResult = ProfileSummary & {
  /** Share of the process's CPU by thread name during the run: V8 GC helpers and libuv workers are not in the profile. */
  readonly threadCpuPct: Readonly<Record<string, number>>;
  readonly requestsPerSecond: number;
  readonly requestsPerCpuSecond: number;
};

/** The profiled Bollard under the headline load; only samples inside the measured run count. */
export async function profileSection(env: ProxyEnv, profiled: Lineup['profiled']): Promise<ProfileResult | Skipped | Failed> {
  if (!isOk(profiled)) return profiled;
  env.say(`proxy: profiling Bollard (--cpu-prof) during a ${env.args.seconds} s http c64 100B run`);
  await warmUp(env, [profiled.contestant]);
  const threads0 = await threadCpuSeconds(profiled.bollard.pid);
  const from = Number(process.hrtime.bigint() / 1000n);
  const sample = await measure(profiled.contestant, HEADLINE, env.opts);
  const to = Number(process.hrtime.bigint() / 1000n);
  const threads = threadShares(threads0, await threadCpuSeconds(profiled.bollard.pid));
  await profiled.bollard.stop(); // the profile is written when it exits
  const summary = await summarizeCpuProfiles(profiled.dir, from, to);
  env.say(`profile: ${describeSample(sample)} under the profiler; busy ${summary.busyPct}% of the run`);
  env.say(`profile: the process's CPU by thread (the profile sees only the main thread): ${Object.entries(threads).map(([n, p]) => `${n} ${p}%`).join(', ')}`);
  env.say('profile: main-thread self time (share of busy time):');
  for (const f of summary.topFunctions.slice(0, 15)) env.say(`  ${String(f.selfPct).padStart(5)}%  ${f.name}`);
  env.say(`profile: self time by area: ${summary.byArea.slice(0, 10).map((a) => `${a.name} ${a.selfPct}%`).join(', ')}`);
  env.say(`profile: Bollard's own functions by inclusive time: ${summary.srcInclusive.slice(0, 10).map((a) => `${a.name} ${a.selfPct}%`).join(', ')}`);
  return { ...summary, threadCpuPct: threads, requestsPerSecond: sample.requestsPerSecond, requestsPerCpuSecond: sample.requestsPerCpuSecond };
}

/** Each thread name's share of the CPU the process used between two readings, in %. */
function threadShares(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Record<string, number> {
  const used = [...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)] as const).filter(([, s]) => s > 0);
  const total = used.reduce((a, [, s]) => a + s, 0);
  return Object.fromEntries(used.sort((a, b) => b[1] - a[1]).map(([name, s]) => [name, Math.round((100 * s) / Math.max(total, 1e-9))]));
}

export interface LargeTableResult extends Omit<ManyHosts, 'contestant'> {
  readonly scenario: string;
  readonly oneHost: Summary;
  readonly manyHosts: Summary;
  readonly ratio: Comparison;
}

export async function largeTableSection(env: ProxyEnv, lineup: Lineup): Promise<LargeTableResult | Failed> {
  const many = lineup.manyHosts;
  if (!isOk(many)) return many;
  const one = { ...lineup.bollard, name: 'bollard-1-host' };
  env.say(`proxy: large table: ${one.name} vs ${many.contestant.name}`);
  await warmUp(env, [many.contestant]);
  const samples = await contest([one, many.contestant], HEADLINE, env.opts);
  const a = samples.get(one.name) ?? [];
  const b = samples.get(many.contestant.name) ?? [];
  const ratio = compare(b, a);
  env.say(`large table: ${many.hosts} hosts / 1 host (http c64 100B): req/s ${ratio.requestsPerSecond}${quietNote(ratio)}, req/CPU-s ${ratio.requestsPerCpuSecond}, p99 ${ratio.p99}x, RSS ${ratio.rss}x`);
  const { contestant: _c, ...facts } = many;
  return { ...facts, scenario: 'http c64 100B', oneHost: summarize(a), manyHosts: summarize(b), ratio };
}

export interface WorkersResult {
  readonly scenario: string;
  readonly cpusAllowed: readonly number[];
  readonly processesWithTwo: number;
  readonly contestants: Readonly<Record<string, Summary>>;
  readonly ratio: { readonly bollard: Comparison; readonly nginx: Comparison };
}

export async function workersSection(env: ProxyEnv, workers: Workers | Skipped | Failed): Promise<WorkersResult | Skipped | Failed> {
  if (!isOk(workers)) {
    env.say(`proxy: workers=2 vs 1 not measured: ${'skipped' in workers ? workers.skipped : workers.failed}`);
    return workers;
  }
  const scenario: Scenario = { ...HEADLINE, connections: 256 };
  env.say(`proxy: workers: ${workers.contestants.map((c) => c.name).join(', ')}, all allowed CPUs ${workers.cpusAllowed.join(',')}, http c256 100B`);
  await warmUp(env, workers.contestants.filter((c) => c.name.startsWith('bollard')), scenario);
  const samples = await contest(workers.contestants, scenario, env.opts);
  const get = (name: string) => samples.get(name) ?? [];
  const ratio = { bollard: compare(get('bollard-w2'), get('bollard-w1')), nginx: compare(get('nginx-w2'), get('nginx-w1')) };
  env.say(`workers: bollard workers=2/1 req/s ${ratio.bollard.requestsPerSecond}${quietNote(ratio.bollard)}; nginx 2/1 on the same CPUs ${ratio.nginx.requestsPerSecond}${quietNote(ratio.nginx)}`);
  return {
    scenario: 'http c256 100B', cpusAllowed: workers.cpusAllowed, processesWithTwo: workers.processesWithTwo,
    contestants: Object.fromEntries([...samples].map(([name, list]) => [name, summarize(list)])), ratio,
  };
}
