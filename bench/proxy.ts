// Proxy throughput and latency, side by side in one run on the same backend and cores: wrk
// straight to the backend, through nginx and HAProxy (C) and Caddy (Go) from Debian (one worker or
// thread, upstream keep-alive), through Bollard, and (headline only) through a minimal Node relay; -c64 and -c256, 100-byte and 16 KiB bodies, HTTP and HTTPS. Also: 20,000 hosts in the
// table vs 1, workers=2 vs 1, and where Bollard's CPU time goes (--cpu-prof).
// Writes bench/results/proxy.json; the last line printed is the c64/100B/HTTP req/s ratio.
// Flags: --seconds N (per wrk run, default 3), --rounds N (default 3), --hosts N (default 20000),
// --hosts-per-ingress N (default 1000), --no-profile, --quiet-budget S (total seconds to wait for
// other work on the machine to calm down before runs, default 45; 0 never waits).
// docs/benchmarks.md explains the set-up and how to read the figures.
import { mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bollardFlags } from './lib/bollard.ts';
import { Cleanup } from './lib/cleanup.ts';
import type { ContestOptions } from './lib/contest.ts';
import { pinProcess, planCpus } from './lib/cpu-plan.ts';
import { attempt, isOk, quietNote, type ProxyArgs, type ProxyEnv } from './lib/proxy-bench.ts';
import { BENCH_HOST, checkTools, removeDir, startBackendSide, startClusterSide } from './lib/proxy-env.ts';
import { startLineup } from './lib/proxy-lineup.ts';
import { headlineLines, headlineRecord, MIN_BOLLARD_OVER_MINIMAL_PER_CPU, NOT_NODE, scenarioLine, type ScenarioResult } from './lib/proxy-report.ts';
import { largeTableSection, profileSection, runMatrix, warmUp, workersSection } from './lib/proxy-sections.ts';
import { defaultQuietOptions, QuietGate } from './lib/quiet.ts';
import { writeResults } from './lib/results.ts';
import { sourceState } from './lib/source.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

function parseCli(): ProxyArgs {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: '3' }, hosts: { type: 'string', default: '20000' },
      'hosts-per-ingress': { type: 'string', default: '1000' }, profile: { type: 'boolean', default: true },
      'quiet-budget': { type: 'string', default: '45' },
    },
    allowNegative: true,
  });
  const int = (v: string, name: string, min = 1): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  return {
    seconds: int(values.seconds, 'seconds'), rounds: int(values.rounds, 'rounds'), hosts: int(values.hosts, 'hosts'),
    hostsPerIngress: int(values['hosts-per-ingress'], 'hosts-per-ingress'), profile: values.profile,
    quietBudgetSeconds: int(values['quiet-budget'], 'quiet-budget', 0),
  };
}

async function measureAll(env: ProxyEnv) {
  const source = await sourceState();
  env.say(`proxy: measuring src/ at ${source.commit}${source.changedSrcFiles.length > 0 ? ` with ${source.changedSrcFiles.length} changed files (${source.changedSrcFiles.join(', ')})` : ''}`);
  const lineup = await startLineup(env);
  env.say('proxy: warm-up of the Node.js contestants');
  await warmUp(env, lineup.main.filter((c) => !NOT_NODE.has(c.name)));
  const scenarios = await runMatrix(env, lineup.main);
  const profile = await attempt('profile', say, () => profileSection(env, lineup.profiled));
  const largeTable = await attempt('large table', say, () => largeTableSection(env, lineup));
  const workers = await attempt('workers', say, () => workersSection(env, lineup.workers));
  const bollardHttps = lineup.bollard.skipped?.https ?? 'measured';
  return { source, scenarios, largeTable, workers, profile, bollardHttps };
}

type Results = Awaited<ReturnType<typeof measureAll>>;

const isHeadline = (r: ScenarioResult): boolean => r.proto === 'http' && r.connections === 64 && r.body === '100B';

function printSummary(results: Results, args: ProxyArgs, description: string): void {
  say('');
  say(`proxy results: median of ${args.rounds} rounds of ${args.seconds} s; ${description}`);
  for (const r of results.scenarios) say(scenarioLine(r));
  const headline = results.scenarios.find(isHeadline);
  for (const line of headline ? headlineLines(headlineRecord(headline)) : ['headline: not measured']) say(line);
  const lt = results.largeTable;
  say(`large table: ${isOk(lt) ? `${lt.hosts} hosts / 1 host req/s ${lt.ratio.requestsPerSecond}${quietNote(lt.ratio)}, req/CPU-s ${lt.ratio.requestsPerCpuSecond}` : `failed (${lt.failed})`}`);
  const w = results.workers;
  say(`workers: ${isOk(w) ? `bollard 2/1 req/s ${w.ratio.bollard.requestsPerSecond}${quietNote(w.ratio.bollard)}, nginx 2/1 ${w.ratio.nginx.requestsPerSecond}${quietNote(w.ratio.nginx)}` : `not measured (${'skipped' in w ? w.skipped : w.failed})`}`);
}

async function main(): Promise<void> {
  const args = parseCli();
  const tools = await checkTools();
  const plan = planCpus(cpus().length);
  await pinProcess(plan, process.pid, plan.rest);
  const started = performance.now();
  say(`proxy: ${plan.description}`);
  say(`proxy: ${tools.nginx}; ${tools.haproxy}; ${tools.caddy}; ${tools.wrk}; node ${process.version}; ${args.rounds} rounds of ${args.seconds} s per scenario`);
  const cleanup = new Cleanup(say);
  cleanup.onSignals();
  const dir = await mkdtemp(join(tmpdir(), 'bollard-bench-proxy-'));
  cleanup.defer('temp dir', () => removeDir(dir));
  const quiet = new QuietGate({ ...defaultQuietOptions, totalBudgetMs: args.quietBudgetSeconds * 1000 });
  let results: Results;
  let flags: ReadonlySet<string>;
  try {
    const backendSide = await startBackendSide(plan, dir, cleanup);
    say(`proxy: backend nginx at ${backendSide.backend.ip}:${backendSide.backend.port} (pid ${backendSide.nginx.pid}); starting the control plane`);
    const cluster = await startClusterSide(plan, dir, backendSide.backend, cleanup, say);
    flags = await bollardFlags();
    const opts: ContestOptions = { plan, dir, host: BENCH_HOST, seconds: args.seconds, rounds: args.rounds, backendPid: backendSide.nginx.pid, say, quiet };
    results = await measureAll({ args, plan, dir, cleanup, backendSide, cluster, flags, opts, say });
  } finally {
    say('proxy: stopping everything');
    await cleanup.run();
  }
  const headline = results.scenarios.find(isHeadline);
  const ratio = headline?.bollardOverNginx?.requestsPerSecond ?? Number.NaN;
  const elapsedSeconds = Math.round((performance.now() - started) / 1000);
  const file = await writeResults('proxy', {
    cpuPlan: plan, tools,
    settings: { ...args, wrkThreads: Math.max(1, plan.wrk.length), host: BENCH_HOST, bollardFlags: [...flags].sort(), bollardHttps: results.bollardHttps },
    goal: { minRequestsRatio: 0.5, maxP99Ratio: 2.5, minBollardOverMinimalPerCpu: MIN_BOLLARD_OVER_MINIMAL_PER_CPU },
    headline: headline ? headlineRecord(headline) : null,
    ...results, quietWaitSeconds: quiet.spentSeconds(), elapsedSeconds,
  });
  printSummary(results, args, plan.description);
  say(`wrote ${file} in ${elapsedSeconds} s`);
  say(`proxy/nginx req/s ratio (c64, 100B, http): ${ratio.toFixed(2)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/proxy: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
