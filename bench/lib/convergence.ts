// What the two convergence benches share (Ingresses, HTTPRoutes): creating N objects with a few
// requests in flight, and timing one more object from its creation to the first 200 through a
// fresh Bollard (once the status its first build owed is written), with the controller's RSS
// after the tries and its mean table build during them.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startBollard } from '../../test/harness/bollard-process.ts';
import { median, percentile, round } from './stats.ts';
import { rssMiB } from './rss.ts';

const CONCURRENCY = 16;
/** 200: the p99 of 50 tries is their maximum, one garbage collection decides it. */
export const TRIES = 200;
/**
 * Changes made after the status backlog and before the tries: the first pays the old-generation
 * collection of the backlog's garbage, the next ones run while the heap and the JIT settle. Timed
 * and printed apart; the tries measure the steady state.
 */
const WARM_UP = 10;
/** Objects one measurement creates: the warm-up changes, then the tries. */
export const CREATED_PER_MEASUREMENT = WARM_UP + TRIES;

/** Calls create(i) for i in [from, to), CONCURRENCY at a time, saying every 500. */
export async function createMany(from: number, to: number, create: (i: number) => Promise<unknown>, say: (line: string) => void, what: string): Promise<void> {
  let next = from;
  let done = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      await create(next++);
      done += 1;
      if (done % 500 === 0) say(`  ${done}/${to} ${what} created`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Between polls: a client asking back to back would take a core from the controller it times (2 cores here). */
const POLL_INTERVAL_MS = 1;

/** Creates one object for `host` and returns milliseconds until Bollard answers 200 for it (to the poll interval). */
async function convergeOnce(httpUrl: string, host: string, create: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await create();
  for (;;) {
    const res = await request(`${httpUrl}/`, { headers: { host } });
    await res.body.dump();
    if (res.statusCode === 200) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error(`${host} did not converge in 30 s`);
    await sleep(POLL_INTERVAL_MS);
  }
}

/** The sum of a counter's series in a Prometheus text page (0 when absent). */
function counterSum(page: string, name: string): number {
  let sum = 0;
  for (const m of page.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/**
 * Waits until the leader has written the status its first build owed (every route of a fresh
 * Bollard, thousands of writes), so the tries measure a change in a steady cluster, not one
 * queued behind that backlog: until bollard_status_writes_total has not moved for a second.
 * Returns the writes counted and the seconds it took.
 */
async function statusSettled(adminUrl: string): Promise<{ writes: number; seconds: number }> {
  const started = performance.now();
  let last = -1;
  let stableSince = performance.now();
  for (;;) {
    const writes = counterSum(await (await fetch(`${adminUrl}/metrics`)).text(), 'bollard_status_writes_total');
    if (writes !== last) {
      last = writes;
      stableSince = performance.now();
    } else if (performance.now() - stableSince >= 1000) {
      return { writes, seconds: round((performance.now() - started) / 1000, 1) };
    }
    if (performance.now() - started > 300_000) throw new Error('status writes did not settle in 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface ConvergenceRow {
  readonly tries: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The first change after the status backlog, and the slowest warm-up change (not tries). */
  readonly firstMs: number;
  readonly warmUpMaxMs: number;
  /** The three slowest tries (index from 0, ms). */
  readonly slowest: readonly { readonly try: number; readonly ms: number }[];
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly meanBuildMs: number;
  /** The status a fresh Bollard owed, written before the tries (see statusSettled). */
  readonly statusBacklog: { readonly writes: number; readonly seconds: number };
}

/** TRIES objects created one by one (create(id, host)) against a Bollard started with `args`. */
export async function measureConvergence(opts: {
  readonly kubeconfig: string; readonly args: readonly string[]; readonly size: number; readonly what: string;
  readonly create: (id: string, host: string) => Promise<unknown>; readonly say: (line: string) => void;
}): Promise<ConvergenceRow> {
  const { size, what, say } = opts;
  const bollard = await startBollard({ kubeconfig: opts.kubeconfig, args: [...opts.args], readyTimeoutMs: 120_000 });
  try {
    const statusBacklog = await statusSettled(bollard.adminUrl);
    say(`  status written before the tries: ${String(statusBacklog.writes)} writes in ${String(statusBacklog.seconds)} s`);
    const warmUp: number[] = [];
    for (let w = 0; w < WARM_UP; w++) {
      const id = `warm-${String(size)}-${String(w)}`;
      warmUp.push(round(await convergeOnce(bollard.httpUrl, `${id}.conv.test`, () => opts.create(id, `${id}.conv.test`))));
    }
    const firstMs = warmUp[0] ?? NaN;
    const warmUpMaxMs = Math.max(...warmUp);
    say(`  warm-up (not tries): the first change after the backlog ${String(firstMs)} ms, the slowest of ${String(WARM_UP)} ${String(warmUpMaxMs)} ms`);
    const buildsBefore = await (await fetch(`${bollard.adminUrl}/metrics`)).text();
    const samples: number[] = [];
    for (let t = 0; t < TRIES; t++) {
      const id = `conv-${size}-${t}`;
      const host = `${id}.conv.test`;
      samples.push(await convergeOnce(bollard.httpUrl, host, () => opts.create(id, host)));
      if ((t + 1) % 50 === 0) say(`  ${size} ${what}: ${t + 1}/${TRIES} tries, median so far ${round(median(samples), 1)} ms`);
    }
    // Where the tail is: the first try after the backlog, or spread over the run.
    const slowest = samples.map((ms, i) => ({ try: i, ms: round(ms) })).sort((a, b) => b.ms - a.ms).slice(0, 3);
    say(`  slowest tries: ${slowest.map((s) => `#${String(s.try)} ${String(s.ms)} ms`).join(', ')}`);
    const rss = await rssMiB(bollard.pid);
    const metrics = await (await fetch(`${bollard.adminUrl}/metrics`)).text();
    const valueIn = (page: string, name: string): number => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(page)?.[1] ?? 'NaN');
    const metric = (name: string): number => valueIn(metrics, name);
    // The builds during the tries only (the first, cold build of everything is not one of them).
    const delta = (name: string): number => metric(name) - valueIn(buildsBefore, name);
    const buildMs = (delta('bollard_table_build_duration_seconds_sum') / delta('bollard_table_build_duration_seconds_count')) * 1000;
    say(`  memory: heap total ${round(metric('nodejs_heap_size_total_bytes') / 2 ** 20, 1)} MiB, external ${round(metric('nodejs_external_memory_bytes') / 2 ** 20, 1)} MiB`);
    return {
      tries: TRIES, medianMs: round(median(samples)), p99Ms: round(percentile(samples, 99)), maxMs: round(Math.max(...samples)),
      slowest, firstMs, warmUpMaxMs, rssMiB: round(rss, 1), heapUsedMiB: round(metric('nodejs_heap_size_used_bytes') / 2 ** 20, 1), meanBuildMs: round(buildMs), statusBacklog,
    };
  } finally {
    await bollard.stop();
  }
}
