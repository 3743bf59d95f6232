// Shared pieces of the proxy benchmark (bench/proxy.ts): its environment, how contestants are
// made from running proxies, ratio summaries, and fail-soft sections.
import { truncate } from 'node:fs/promises';
import type { BenchBollard } from './bollard.ts';
import type { Cleanup } from './cleanup.ts';
import { pairedRatio, quietPairs, type ContestOptions, type Contestant, type Sample, type Scenario } from './contest.ts';
import type { CpuPlan } from './cpu-plan.ts';
import { BODIES } from './nginx-config.ts';
import { BENCH_NS, preflightBodies, startBollardProxy, type BackendSide, type ClusterSide } from './proxy-env.ts';

export const LOCAL = '127.0.0.1';
export const HEADLINE: Scenario = { proto: 'http', connections: 64, body: BODIES[0] ?? { name: '100B', path: '/100b', bytes: 100 } };
export const isHeadline = (s: Scenario): boolean =>
  s.proto === HEADLINE.proto && s.connections === HEADLINE.connections && s.body.name === HEADLINE.body.name;

export interface ProxyArgs {
  readonly seconds: number;
  readonly rounds: number;
  readonly hosts: number;
  readonly hostsPerIngress: number;
  readonly profile: boolean;
  readonly quietBudgetSeconds: number;
}

export interface ProxyEnv {
  readonly args: ProxyArgs;
  readonly plan: CpuPlan;
  readonly dir: string;
  readonly cleanup: Cleanup;
  readonly backendSide: BackendSide;
  readonly cluster: ClusterSide;
  /** The controller's flags (from --help): new capabilities are used when they appear. */
  readonly flags: ReadonlySet<string>;
  readonly opts: ContestOptions;
  readonly say: (line: string) => void;
}

export type Skipped = { readonly skipped: string };
export type Failed = { readonly failed: string };
export const isOk = <T extends object>(x: T | Skipped | Failed): x is T => !('skipped' in x) && !('failed' in x);

/** Runs one optional part of the benchmark; a failure is recorded, not thrown, so the rest still reports. */
export async function attempt<T>(what: string, say: (line: string) => void, run: () => Promise<T>): Promise<T | Failed> {
  try {
    return await run();
  } catch (err: unknown) {
    const failed = err instanceof Error ? err.message : String(err);
    say(`proxy: ${what} FAILED: ${failed}`);
    return { failed };
  }
}

export interface Comparison {
  readonly requestsPerSecond: number;
  readonly requestsPerCpuSecond: number;
  readonly p99: number;
  readonly rss: number;
  /** req/s over only the rounds in which both ran with little other work on the machine. */
  readonly quiet: { readonly pairs: number; readonly requestsPerSecond: number | null };
}

/** a relative to b: medians of per-round ratios. */
export function compare(a: readonly Sample[], b: readonly Sample[]): Comparison {
  const pairs = quietPairs(a, b);
  return {
    requestsPerSecond: pairedRatio(a, b, (x) => x.requestsPerSecond), requestsPerCpuSecond: pairedRatio(a, b, (x) => x.requestsPerCpuSecond),
    p99: pairedRatio(a, b, (x) => x.p99Ms), rss: pairedRatio(a, b, (x) => x.rssMiB),
    quiet: { pairs, requestsPerSecond: pairs > 0 ? pairedRatio(a, b, (x) => x.requestsPerSecond, true) : null },
  };
}

export const quietNote = (r: Comparison): string => (r.quiet.pairs > 0 ? ` (${r.quiet.requestsPerSecond} over ${r.quiet.pairs} quiet rounds)` : '');

export interface BollardChoice {
  readonly namespaces?: string;
  readonly cpus?: readonly number[];
  readonly workers?: number;
  readonly cpuProfDir?: string;
  readonly extraArgs?: readonly string[];
}

/** A Bollard for the benchmark: its own election Lease, one worker unless told (when it has --workers). */
export function startBollard(env: ProxyEnv, name: string, o: BollardChoice = {}): Promise<BenchBollard> {
  const workers = env.flags.has('workers') ? ['--workers', String(o.workers ?? 1)] : [];
  const args = ['--watch-namespaces', o.namespaces ?? BENCH_NS, '--election-namespace', BENCH_NS, '--election-id', `bench-${name}`, ...workers, ...(o.extraArgs ?? [])];
  return startBollardProxy({
    name, dir: env.dir, kubeconfig: env.cluster.plane.kubeconfig, plan: env.plan, cpus: o.cpus ?? env.plan.proxy, cleanup: env.cleanup,
    args, readyTimeoutMs: 180_000, ...(o.cpuProfDir === undefined ? {} : { cpuProfDir: o.cpuProfDir }),
  });
}

/** nginx, HAProxy or Caddy: HTTP and HTTPS targets; the access log is emptied after each run. */
export function proxyContestant(name: string, n: { readonly pid: number; readonly httpPort: number; readonly httpsPort: number; readonly accessLog: string }): Contestant {
  return {
    name, pid: n.pid, targets: { http: { ip: LOCAL, port: n.httpPort }, https: { ip: LOCAL, port: n.httpsPort } },
    afterRun: () => truncate(n.accessLog, 0),
  };
}

/** Checks both bodies over HTTP (must work) and HTTPS (skipped with the reason when it does not). */
export async function bollardContestant(name: string, b: BenchBollard): Promise<Contestant> {
  await preflightBodies(name, 'http', LOCAL, b.httpPort);
  const https = b.httpsPort === undefined
    ? 'this Bollard build logs no "listening" line for an https listener'
    : await preflightBodies(name, 'https', LOCAL, b.httpsPort).then(() => undefined, (err: unknown) => `HTTPS preflight failed: ${err instanceof Error ? err.message : String(err)}`);
  return {
    name, pid: b.pid,
    targets: { http: { ip: LOCAL, port: b.httpPort }, ...(https === undefined && b.httpsPort !== undefined ? { https: { ip: LOCAL, port: b.httpsPort } } : {}) },
    ...(https === undefined ? {} : { skipped: { https } }),
    afterRun: () => b.truncateLog(),
  };
}
