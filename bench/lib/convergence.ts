// What the two convergence benches share (Ingresses, HTTPRoutes): creating N objects with a few
// requests in flight, and timing one more object from its creation to the first 200 through a
// fresh Bollard, with the controller's RSS and mean table build after the tries.
import { request } from 'undici';
import { startBollard } from '../../test/harness/bollard-process.ts';
import { median, percentile, round } from './stats.ts';
import { rssMiB } from './rss.ts';

const CONCURRENCY = 16;
export const TRIES = 50;

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

/** Creates one object for `host` and returns milliseconds until Bollard answers 200 for it. */
async function convergeOnce(httpUrl: string, host: string, create: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await create();
  for (;;) {
    const res = await request(`${httpUrl}/`, { headers: { host } });
    await res.body.dump();
    if (res.statusCode === 200) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error(`${host} did not converge in 30 s`);
  }
}

export interface ConvergenceRow {
  readonly tries: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly meanBuildMs: number;
}

/** TRIES objects created one by one (create(id, host)) against a Bollard started with `args`. */
export async function measureConvergence(opts: {
  readonly kubeconfig: string; readonly args: readonly string[]; readonly size: number; readonly what: string;
  readonly create: (id: string, host: string) => Promise<unknown>; readonly say: (line: string) => void;
}): Promise<ConvergenceRow> {
  const { size, what, say } = opts;
  const bollard = await startBollard({ kubeconfig: opts.kubeconfig, args: [...opts.args], readyTimeoutMs: 120_000 });
  try {
    const samples: number[] = [];
    for (let t = 0; t < TRIES; t++) {
      const id = `conv-${size}-${t}`;
      const host = `${id}.conv.test`;
      samples.push(await convergeOnce(bollard.httpUrl, host, () => opts.create(id, host)));
      if ((t + 1) % 10 === 0) say(`  ${size} ${what}: ${t + 1}/${TRIES} tries, median so far ${round(median(samples), 1)} ms`);
    }
    const rss = await rssMiB(bollard.pid);
    const metrics = await (await fetch(`${bollard.adminUrl}/metrics`)).text();
    const metric = (name: string): number => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(metrics)?.[1] ?? 'NaN');
    const buildMs = (metric('bollard_table_build_duration_seconds_sum') / metric('bollard_table_build_duration_seconds_count')) * 1000;
    say(`  memory: heap total ${round(metric('nodejs_heap_size_total_bytes') / 2 ** 20, 1)} MiB, external ${round(metric('nodejs_external_memory_bytes') / 2 ** 20, 1)} MiB`);
    return {
      tries: TRIES, medianMs: round(median(samples)), p99Ms: round(percentile(samples, 99)), maxMs: round(Math.max(...samples)),
      rssMiB: round(rss, 1), heapUsedMiB: round(metric('nodejs_heap_size_used_bytes') / 2 ** 20, 1), meanBuildMs: round(buildMs),
    };
  } finally {
    await bollard.stop();
  }
}
