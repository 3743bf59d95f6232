// Proxy throughput and latency, side by side in one run on the same backend and cores: wrk
// straight to the backend, through nginx (Debian, one worker, upstream keep-alive) and through
// Bollard; -c64 and -c256, 100-byte and 16 KiB bodies, HTTP and HTTPS. Also: 20,000 hosts in the
// table vs 1, workers=2 vs 1 (once Bollard has --workers), and where Bollard's CPU time goes.
// Writes bench/results/proxy.json; the last line printed is the c64/100B/HTTP req/s ratio.
// Flags: --seconds N (per wrk run, default 3), --rounds N (default 3), --hosts N (default 20000),
// --hosts-per-ingress N (default 1000), --no-profile, --quiet-budget S (total seconds to wait for
// other work on the machine to calm down before runs, default 45; 0 never waits).
// docs/benchmarks.md explains the set-up and how to read the figures.
import { mkdtemp, truncate } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bollardFlags, type BenchBollard } from './lib/bollard.ts';
import { Cleanup } from './lib/cleanup.ts';
import { contest, describeSample, measure, pairedRatio, quietPairs, summarize, type ContestOptions, type Contestant, type Sample, type Scenario } from './lib/contest.ts';
import { summarizeCpuProfiles, type ProfileSummary } from './lib/cpu-profile.ts';
import { pinProcess, planCpus, type CpuPlan } from './lib/cpu-plan.ts';
import { processTree } from './lib/proc.ts';
import { defaultQuietOptions, QuietGate } from './lib/quiet.ts';
import { BODIES } from './lib/nginx-config.ts';
import { createManyHosts, manyHostName } from './lib/proxy-cluster.ts';
import {
  BENCH_HOST, BENCH_NS, checkTools, preflightBodies, removeDir, startBackendSide, startBollardProxy, startClusterSide, startMinimalNodeProxy, startNginxProxy,
  type BackendSide, type ClusterSide, type NginxProxy,
} from './lib/proxy-env.ts';
import { MINIMAL_NODE, scenarioLine, scenarioResult, type ScenarioResult } from './lib/proxy-report.ts';
import { preflight } from './lib/preflight.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const HOSTS_NS = 'hosts-bench';
const CONNECTIONS = [64, 256];
const WARMUP_SECONDS = 2;
const NO_ACCESS_LOG = 'bollard-no-access-log';
const HEADLINE: Scenario = { proto: 'http', connections: 64, body: BODIES[0] ?? { name: '100B', path: '/100b', bytes: 100 } };
const isHeadline = (s: Scenario): boolean => s.proto === HEADLINE.proto && s.connections === HEADLINE.connections && s.body.name === HEADLINE.body.name;

interface Args {
  readonly seconds: number;
  readonly rounds: number;
  readonly hosts: number;
  readonly hostsPerIngress: number;
  readonly profile: boolean;
  readonly quietBudgetSeconds: number;
}

function parseCli(): Args {
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

interface Env {
  readonly args: Args;
  readonly plan: CpuPlan;
  readonly dir: string;
  readonly cleanup: Cleanup;
  readonly backendSide: BackendSide;
  readonly cluster: ClusterSide;
  readonly flags: ReadonlySet<string>;
  readonly opts: ContestOptions;
}

/** a relative to b, medians of per-round ratios, plus req/s over the quiet rounds only. */
function compare(a: readonly Sample[], b: readonly Sample[]) {
  const pairs = quietPairs(a, b);
  return {
    requestsPerSecond: pairedRatio(a, b, (x) => x.requestsPerSecond), requestsPerCpuSecond: pairedRatio(a, b, (x) => x.requestsPerCpuSecond),
    p99: pairedRatio(a, b, (x) => x.p99Ms), rss: pairedRatio(a, b, (x) => x.rssMiB),
    quiet: { pairs, requestsPerSecond: pairs > 0 ? pairedRatio(a, b, (x) => x.requestsPerSecond, true) : null },
  };
}

const quietNote = (r: ReturnType<typeof compare>): string => (r.quiet.pairs > 0 ? ` (${r.quiet.requestsPerSecond} over ${r.quiet.pairs} quiet rounds)` : '');

/** Flags every benchmark Bollard gets: its own election Lease, and one worker when it has workers. */
function bollardArgs(env: Env, id: string, namespaces: string, workers = 1): string[] {
  const workerArgs = env.flags.has('workers') ? ['--workers', String(workers)] : [];
  return ['--watch-namespaces', namespaces, '--election-namespace', BENCH_NS, '--election-id', `bench-${id}`, ...workerArgs];
}

interface BollardChoice { namespaces?: string; cpus?: readonly number[]; workers?: number; cpuProfDir?: string; extraArgs?: readonly string[] }

function startBollard(env: Env, name: string, o: BollardChoice = {}): Promise<BenchBollard> {
  return startBollardProxy({
    name, dir: env.dir, kubeconfig: env.cluster.plane.kubeconfig, plan: env.plan, cpus: o.cpus ?? env.plan.proxy, cleanup: env.cleanup,
    args: [...bollardArgs(env, name, o.namespaces ?? BENCH_NS, o.workers), ...(o.extraArgs ?? [])], readyTimeoutMs: 180_000,
    ...(o.cpuProfDir === undefined ? {} : { cpuProfDir: o.cpuProfDir }),
  });
}

const LOCAL = '127.0.0.1';

function nginxContestant(name: string, n: NginxProxy): Contestant {
  return {
    name, pid: n.pid, targets: { http: { ip: LOCAL, port: n.httpPort }, https: { ip: LOCAL, port: n.httpsPort } },
    afterRun: () => truncate(n.accessLog, 0),
  };
}

async function bollardContestant(name: string, b: BenchBollard): Promise<Contestant> {
  await preflightBodies(name, 'http', LOCAL, b.httpPort);
  let https: string | undefined = b.httpsPort === undefined ? 'this Bollard build logs no "listening" line for an https listener (no HTTPS in src/dataplane yet)' : undefined;
  if (b.httpsPort !== undefined) https = await preflightBodies(name, 'https', LOCAL, b.httpsPort).then(() => undefined, (err: unknown) => `HTTPS preflight failed: ${err instanceof Error ? err.message : String(err)}`);
  return {
    name, pid: b.pid,
    targets: { http: { ip: LOCAL, port: b.httpPort }, ...(https === undefined && b.httpsPort !== undefined ? { https: { ip: LOCAL, port: b.httpsPort } } : {}) },
    ...(https === undefined ? {} : { skipped: { https } }),
    afterRun: () => b.truncateLog(),
  };
}

async function warmUp(env: Env, contestants: readonly Contestant[]): Promise<void> {
  const { quiet: _quiet, ...rest } = env.opts;
  const o = { ...rest, seconds: WARMUP_SECONDS };
  for (const c of contestants) {
    const s = await measure(c, HEADLINE, o);
    say(`  warm-up ${c.name}: ${describeSample(s)}`);
  }
}

async function runMatrix(env: Env, contestants: readonly Contestant[]): Promise<ScenarioResult[]> {
  const scenarios: Scenario[] = (['http', 'https'] as const).flatMap((proto) => CONNECTIONS.flatMap((connections) => BODIES.map((body) => ({ proto, connections, body }))));
  const results: ScenarioResult[] = [];
  for (const [i, s] of scenarios.entries()) {
    const runnable = contestants.filter((c) => c.targets[s.proto] !== undefined && (c.only?.(s) ?? true));
    const skipped = new Map(contestants.filter((c) => c.targets[s.proto] === undefined && (c.only?.(s) ?? true)).map((c) => [c.name, c.skipped?.[s.proto] ?? `no ${s.proto} target`]));
    say(`proxy: scenario ${i + 1}/${scenarios.length} ${s.proto} c${s.connections} ${s.body.name}: ${runnable.map((c) => c.name).join(', ')} × ${env.args.rounds} rounds of ${env.args.seconds} s`);
    const result = scenarioResult(s, await contest(runnable, s, env.opts), skipped);
    say(scenarioLine(result));
    results.push(result);
  }
  return results;
}

async function largeTable(env: Env, oneHost: Contestant) {
  const { hosts, hostsPerIngress } = env.args;
  say(`proxy: large table: creating ${hosts} hosts in ${Math.ceil(hosts / hostsPerIngress)} Ingresses (${hostsPerIngress} rules each) in namespace ${HOSTS_NS}`);
  const t0 = performance.now();
  await createManyHosts(env.cluster.client, { ns: HOSTS_NS, count: hosts, perIngress: hostsPerIngress, backend: env.backendSide.backend, say });
  const createSeconds = (performance.now() - t0) / 1000;
  say(`proxy: large table: created in ${createSeconds.toFixed(1)} s; starting a Bollard that watches both namespaces`);
  const t1 = performance.now();
  const big = await startBollard(env, 'bollard-many-hosts', { namespaces: `${BENCH_NS},${HOSTS_NS}` });
  const readySeconds = (performance.now() - t1) / 1000;
  for (const i of [0, Math.floor(hosts / 2), hosts - 1]) {
    await preflight('bollard-many-hosts', { proto: 'http', host: manyHostName(i, HOSTS_NS), ip: LOCAL, port: big.httpPort, path: '/100b' }, 100);
  }
  const many = await bollardContestant(`bollard-${hosts}-hosts`, big);
  const one = { ...oneHost, name: 'bollard-1-host' };
  say(`proxy: large table: ready in ${readySeconds.toFixed(1)} s (hosts checked); ${one.name} vs ${many.name}`);
  const samples = await contest([one, many], HEADLINE, env.opts);
  await big.stop();
  const a = samples.get(one.name) ?? [];
  const b = samples.get(many.name) ?? [];
  const ratio = compare(b, a);
  say(`large table: ${hosts} hosts / 1 host (c64, 100B, http): req/s ${ratio.requestsPerSecond}${quietNote(ratio)}, req/CPU-s ${ratio.requestsPerCpuSecond}, p99 ${ratio.p99}x, RSS ${ratio.rss}x`);
  return {
    hosts, hostsPerIngress, ingresses: Math.ceil(hosts / hostsPerIngress), createSeconds: Number(createSeconds.toFixed(1)), readySeconds: Number(readySeconds.toFixed(1)),
    scenario: 'http c64 100B', oneHost: summarize(a), manyHosts: summarize(b),
    ratio,
  };
}

async function workersComparison(env: Env) {
  if (!env.flags.has('workers')) {
    const skipped = 'Bollard has no --workers flag yet (src/main.ts controller --help)';
    say(`proxy: workers=2 vs 1 skipped: ${skipped}`);
    return { skipped };
  }
  const cpusAllowed = env.plan.proxyScaled;
  const w2 = await startBollard(env, 'bollard-w2', { cpus: cpusAllowed, workers: 2 });
  const processes = (await processTree(w2.pid)).length;
  if (processes < 2) {
    await w2.stop();
    const skipped = `Bollard accepts --workers but "--workers 2" ran ${processes} process (no worker processes spawned yet)`;
    say(`proxy: workers=2 vs 1 skipped: ${skipped}`);
    return { skipped };
  }
  say(`proxy: workers: Bollard --workers 1 and 2 (${processes} processes), nginx worker_processes 1 and 2, all allowed CPUs ${cpusAllowed.join(',')}`);
  const common = { plan: env.plan, dir: env.dir, cpus: cpusAllowed, backend: env.backendSide.backend, cert: env.cluster.cert, cleanup: env.cleanup };
  const contestants = [
    await bollardContestant('bollard-w1', await startBollard(env, 'bollard-w1', { cpus: cpusAllowed, workers: 1 })),
    await bollardContestant('bollard-w2', w2),
    nginxContestant('nginx-w1', await startNginxProxy({ ...common, name: 'nginx-w1', workers: 1 })),
    nginxContestant('nginx-w2', await startNginxProxy({ ...common, name: 'nginx-w2', workers: 2 })),
  ];
  for (const c of contestants) await preflightBodies(c.name, 'http', LOCAL, c.targets.http?.port ?? 0);
  const scenario: Scenario = { ...HEADLINE, connections: 256 };
  const samples = await contest(contestants, scenario, env.opts);
  const get = (name: string) => samples.get(name) ?? [];
  const bollardScaling = compare(get('bollard-w2'), get('bollard-w1'));
  const nginxScaling = compare(get('nginx-w2'), get('nginx-w1'));
  say(`workers: bollard workers=2/1 req/s ${bollardScaling.requestsPerSecond}${quietNote(bollardScaling)}; nginx 2/1 (same CPUs, for reference) ${nginxScaling.requestsPerSecond}${quietNote(nginxScaling)}`);
  return {
    scenario: 'http c256 100B', cpusAllowed,
    contestants: Object.fromEntries([...samples].map(([name, list]) => [name, summarize(list)])),
    ratio: { bollard: bollardScaling, nginx: nginxScaling },
  };
}

async function profileBollard(env: Env): Promise<ProfileSummary & { requestsPerSecond: number } | { skipped: string }> {
  if (!env.args.profile) return { skipped: '--no-profile' };
  const profDir = join(env.dir, 'cpu-prof');
  say(`proxy: profiling a Bollard with --cpu-prof during a ${env.args.seconds} s http c64 100B run`);
  const b = await startBollard(env, 'bollard-profiled', { cpuProfDir: profDir });
  const c = await bollardContestant('bollard-profiled', b);
  await measure(c, HEADLINE, { ...env.opts, seconds: WARMUP_SECONDS });
  const from = Number(process.hrtime.bigint() / 1000n);
  const sample = await measure(c, HEADLINE, env.opts);
  const to = Number(process.hrtime.bigint() / 1000n);
  await b.stop();
  const summary = await summarizeCpuProfiles(profDir, from, to);
  say(`profile: ${describeSample(sample)} under the profiler; ${summary.busyPct}% of sampled time busy; self time by function (share of busy time):`);
  for (const f of summary.topFunctions.slice(0, 15)) say(`  ${String(f.selfPct).padStart(5)}%  ${f.name}`);
  say(`profile: self time by area: ${summary.byArea.slice(0, 10).map((a) => `${a.name} ${a.selfPct}%`).join(', ')}`);
  say(`profile: Bollard's own functions by inclusive time: ${summary.srcInclusive.slice(0, 10).map((a) => `${a.name} ${a.selfPct}%`).join(', ')}`);
  return { ...summary, requestsPerSecond: sample.requestsPerSecond };
}

async function measureAll(env: Env) {
  const { backendSide, cluster } = env;
  const nginx = await startNginxProxy({ plan: env.plan, dir: env.dir, name: 'nginx-proxy', cpus: env.plan.proxy, workers: 1, backend: backendSide.backend, cert: cluster.cert, cleanup: env.cleanup });
  await preflightBodies('nginx', 'http', LOCAL, nginx.httpPort);
  await preflightBodies('nginx', 'https', LOCAL, nginx.httpsPort);
  const bollard = await bollardContestant('bollard', await startBollard(env, 'bollard'));
  const { ip, port } = backendSide.backend;
  await preflightBodies('direct', 'http', ip, port);
  const direct: Contestant = { name: 'direct', pid: backendSide.nginx.pid, targets: { http: { ip, port } }, skipped: { https: 'the backend serves plain HTTP; direct is the HTTP baseline' } };
  const minimal = await startMinimalNodeProxy(env.plan, env.plan.proxy, backendSide.backend, env.cleanup);
  await preflightBodies(MINIMAL_NODE, 'http', LOCAL, minimal.port);
  const reference: Contestant = { name: MINIMAL_NODE, pid: minimal.pid, targets: { http: { ip: LOCAL, port: minimal.port } }, only: isHeadline };
  const contestants = [direct, nginxContestant('nginx', nginx), bollard, reference];
  if (env.flags.has('access-log')) {
    // What the default JSON access log costs: the same Bollard with --access-log false, headline only.
    const noLog = await startBollard(env, NO_ACCESS_LOG, { extraArgs: ['--access-log', 'false'] });
    contestants.push({ ...(await bollardContestant(NO_ACCESS_LOG, noLog)), only: isHeadline });
  }
  say(`proxy: warm-up of the Node.js contestants (JIT; ${WARMUP_SECONDS} s each, not recorded)`);
  await warmUp(env, contestants.filter((c) => c !== direct && c.name !== 'nginx'));
  const scenarios = await runMatrix(env, contestants);
  const profile = await profileBollard(env);
  const large = await largeTable(env, bollard);
  const workers = await workersComparison(env);
  return { scenarios, largeTable: large, workers, profile, bollardHttps: bollard.skipped?.https ?? 'measured' };
}

async function main(): Promise<void> {
  const args = parseCli();
  const tools = await checkTools();
  const plan = planCpus(cpus().length);
  await pinProcess(plan, process.pid, plan.rest);
  const started = performance.now();
  say(`proxy: ${plan.description}`);
  say(`proxy: ${tools.nginx}; ${tools.wrk}; node ${process.version}; ${args.rounds} rounds of ${args.seconds} s per scenario`);
  const cleanup = new Cleanup(say);
  cleanup.onSignals();
  const dir = await mkdtemp(join(tmpdir(), 'bollard-bench-proxy-'));
  cleanup.defer('temp dir', () => removeDir(dir));
  const quiet = new QuietGate({ ...defaultQuietOptions, totalBudgetMs: args.quietBudgetSeconds * 1000 });
  let results: Awaited<ReturnType<typeof measureAll>>;
  let flags: ReadonlySet<string>;
  try {
    const backendSide = await startBackendSide(plan, dir, cleanup);
    say(`proxy: backend nginx at ${backendSide.backend.ip}:${backendSide.backend.port} (pid ${backendSide.nginx.pid}); starting the control plane`);
    const cluster = await startClusterSide(plan, dir, backendSide.backend, cleanup, say);
    flags = await bollardFlags();
    const opts: ContestOptions = { plan, dir, host: BENCH_HOST, seconds: args.seconds, rounds: args.rounds, backendPid: backendSide.nginx.pid, say, quiet };
    results = await measureAll({ args, plan, dir, cleanup, backendSide, cluster, flags, opts });
  } finally {
    say('proxy: stopping everything');
    await cleanup.run();
  }
  const headline = results.scenarios.find((r) => r.proto === HEADLINE.proto && r.connections === HEADLINE.connections && r.body === HEADLINE.body.name);
  const ratio = headline?.bollardOverNginx?.requestsPerSecond ?? Number.NaN;
  const file = await writeResults('proxy', {
    cpuPlan: plan, tools, settings: { ...args, wrkThreads: Math.max(1, plan.wrk.length), host: BENCH_HOST, bollardFlags: [...flags].sort(), bollardHttps: results.bollardHttps },
    goal: { minRequestsRatio: 0.5, maxP99Ratio: 2.5 }, headline: { scenario: 'http c64 100B', bollardOverNginx: headline?.bollardOverNginx ?? null },
    ...results, quietWaitSeconds: quiet.spentSeconds(), elapsedSeconds: Math.round((performance.now() - started) / 1000),
  });
  say('');
  say(`proxy results: median of ${args.rounds} rounds of ${args.seconds} s; ${plan.description}`);
  for (const r of results.scenarios) say(scenarioLine(r));
  const lt = results.largeTable;
  say(`large table: ${lt.hosts} hosts / 1 host req/s ${lt.ratio.requestsPerSecond}${quietNote(lt.ratio)}, req/CPU-s ${lt.ratio.requestsPerCpuSecond}`);
  const w = results.workers;
  say(`workers: ${'skipped' in w ? `skipped (${w.skipped})` : `bollard 2/1 req/s ${w.ratio.bollard.requestsPerSecond}${quietNote(w.ratio.bollard)}, nginx 2/1 ${w.ratio.nginx.requestsPerSecond}${quietNote(w.ratio.nginx)}`}`);
  say(`wrote ${file} in ${Math.round((performance.now() - started) / 1000)} s`);
  say(`proxy/nginx req/s ratio (c64, 100B, http): ${ratio.toFixed(2)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/proxy: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
