// Result records and printed lines of the proxy benchmark.
import { pairedRatio, quietPairs, scenarioKey, summarize, type Sample, type Scenario, type Summary } from './contest.ts';

export const MINIMAL_NODE = 'node-minimal';
export const HAPROXY = 'haproxy';
export const CADDY = 'caddy';
/** Contestants that are not Node processes (no warm-up): the backend itself and the C and Go proxies. */
export const NOT_NODE: ReadonlySet<string> = new Set(['direct', 'nginx', HAPROXY, CADDY]);
/** What each outside proxy is written in, for the printed lines. */
const LANGUAGE: Readonly<Record<string, string>> = { nginx: 'C', [HAPROXY]: 'C', [CADDY]: 'Go' };
/** Bollard's cost per request relative to the minimal Node relay's (req/CPU-s ratio) must stay at or above this. */
export const MIN_BOLLARD_OVER_MINIMAL_PER_CPU = 0.8;

export type Outcome = Summary | { readonly skipped: string };

export interface ScenarioResult {
  readonly proto: Scenario['proto'];
  readonly connections: number;
  readonly body: string;
  readonly contestants: Readonly<Record<string, Outcome>>;
  /**
   * Bollard relative to nginx, medians of per-round ratios: req/s and req/CPU-s (higher is better),
   * p50/p99 and RSS (lower is better).
   */
  readonly bollardOverNginx: {
    readonly requestsPerSecond: number; readonly requestsPerCpuSecond: number; readonly p50: number; readonly p99: number; readonly rss: number;
    /** The same req/s ratio over only the rounds in which both ran with other work below QUIET_OTHER_PCT. */
    readonly quiet: { readonly pairs: number; readonly requestsPerSecond: number | null };
  } | null;
  /**
   * Bollard relative to every other contestant that ran (direct, node-minimal: how much of the gap
   * is Node's and how much Bollard's own work; bollard-no-access-log: what the access log costs).
   */
  readonly bollardOver: Readonly<Record<string, { readonly requestsPerSecond: number; readonly requestsPerCpuSecond: number }>>;
  readonly nginxOverDirect: number | null;
}

const isSummary = (o: Outcome | undefined): o is Summary => o !== undefined && !('skipped' in o);

export function scenarioResult(s: Scenario, samples: ReadonlyMap<string, readonly Sample[]>, skipped: ReadonlyMap<string, string>): ScenarioResult {
  const contestants: Record<string, Outcome> = {};
  for (const [name, list] of samples) contestants[name] = summarize(list);
  for (const [name, why] of skipped) contestants[name] = { skipped: why };
  const b = samples.get('bollard');
  const n = samples.get('nginx');
  const d = samples.get('direct');
  const bollardOver: Record<string, { requestsPerSecond: number; requestsPerCpuSecond: number }> = {};
  for (const [name, other] of samples) {
    if (b && name !== 'bollard') bollardOver[name] = { requestsPerSecond: pairedRatio(b, other, (x) => x.requestsPerSecond), requestsPerCpuSecond: pairedRatio(b, other, (x) => x.requestsPerCpuSecond) };
  }
  return {
    proto: s.proto, connections: s.connections, body: s.body.name, contestants,
    bollardOverNginx: b && n ? {
      requestsPerSecond: pairedRatio(b, n, (x) => x.requestsPerSecond), requestsPerCpuSecond: pairedRatio(b, n, (x) => x.requestsPerCpuSecond),
      p50: pairedRatio(b, n, (x) => x.p50Ms), p99: pairedRatio(b, n, (x) => x.p99Ms), rss: pairedRatio(b, n, (x) => x.rssMiB),
      quiet: { pairs: quietPairs(b, n), requestsPerSecond: quietPairs(b, n) > 0 ? pairedRatio(b, n, (x) => x.requestsPerSecond, true) : null },
    } : null,
    bollardOver,
    nginxOverDirect: n && d ? pairedRatio(n, d, (x) => x.requestsPerSecond) : null,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function describe(name: string, o: Outcome | undefined): string {
  if (o === undefined) return `${name} -`;
  if (!isSummary(o)) return `${name} skipped (${o.skipped})`;
  const errors = o.errors > 0 ? `, ${o.errors} errors` : '';
  return `${name} ${fmt(o.requestsPerSecond)} req/s (p50 ${o.p50Ms} ms, p99 ${o.p99Ms} ms, RSS ${o.rssMiB} MiB, CPU ${o.cpuPct}%, ${fmt(o.requestsPerCpuSecond)} req/CPU-s${errors})`;
}

export function scenarioLine(r: ScenarioResult): string {
  const key = scenarioKey({ proto: r.proto, connections: r.connections, body: { name: r.body, path: '', bytes: 0 } });
  const parts = Object.keys(r.contestants).map((name) => describe(name, r.contestants[name]));
  const bn = r.bollardOverNginx;
  const quiet = bn && bn.quiet.pairs > 0 ? ` (${bn.quiet.requestsPerSecond} over ${bn.quiet.pairs} quiet rounds)` : '';
  const ratio = bn ? ` | bollard/nginx req/s ${bn.requestsPerSecond}${quiet}, req/CPU-s ${bn.requestsPerCpuSecond}, p99 ${bn.p99}x` : '';
  const others = Object.entries(r.bollardOver).filter(([name]) => name !== 'nginx' && name !== 'direct')
    .map(([name, x]) => `, bollard/${name}${LANGUAGE[name] === undefined ? '' : ` req/s ${x.requestsPerSecond},`} req/CPU-s ${x.requestsPerCpuSecond}`).join('');
  return `${key}: ${parts.join(' | ')}${ratio}${others}`;
}

export interface HeadlineRecord {
  readonly scenario: string;
  /** Median req/s of each contestant that ran. */
  readonly requestsPerSecond: Readonly<Record<string, number>>;
  readonly bollardOverNginx: ScenarioResult['bollardOverNginx'];
  readonly bollardOver: ScenarioResult['bollardOver'];
  /** Bollard/node-minimal req/CPU-s and whether it meets MIN_BOLLARD_OVER_MINIMAL_PER_CPU. */
  readonly bollardOverMinimalPerCpu: { readonly ratio: number | null; readonly goal: number; readonly met: boolean | null };
}

export function headlineRecord(r: ScenarioResult): HeadlineRecord {
  const rps: Record<string, number> = {};
  for (const [name, o] of Object.entries(r.contestants)) if (isSummary(o)) rps[name] = Math.round(o.requestsPerSecond);
  const ratio = r.bollardOver[MINIMAL_NODE]?.requestsPerCpuSecond ?? null;
  return {
    scenario: `${r.proto} c${r.connections} ${r.body}`, requestsPerSecond: rps, bollardOverNginx: r.bollardOverNginx, bollardOver: r.bollardOver,
    bollardOverMinimalPerCpu: { ratio, goal: MIN_BOLLARD_OVER_MINIMAL_PER_CPU, met: ratio === null ? null : ratio >= MIN_BOLLARD_OVER_MINIMAL_PER_CPU },
  };
}

/** Bollard against the C proxies (nginx, HAProxy) and the Go one (Caddy), and against the minimal Node relay per CPU-s. */
export function headlineLines(h: HeadlineRecord): string[] {
  const rps = Object.entries(h.requestsPerSecond).filter(([name]) => name !== 'direct')
    .map(([name, n]) => `${name}${LANGUAGE[name] === undefined ? '' : ` (${LANGUAGE[name]})`} ${fmt(n)}`).join(' | ');
  const vs = Object.keys(LANGUAGE).map((name) => `bollard/${name} ${h.bollardOver[name]?.requestsPerSecond ?? '-'}`).join(', ');
  const m = h.bollardOverMinimalPerCpu;
  const goal = m.met === null ? 'not measured' : m.met ? 'met' : 'NOT met';
  return [
    `headline ${h.scenario} req/s: ${rps}`,
    `headline ${h.scenario}: ${vs} (req/s); bollard/${MINIMAL_NODE} req/CPU-s ${m.ratio ?? '-'} (goal >= ${m.goal}: ${goal})`,
  ];
}
