import { describe, expect, it } from '@jest/globals';
import { latestOnly } from './latest-only.ts';

/** A job whose runs finish when the test says so; `started(n)` resolves once n runs have begun. */
function gatedJob() {
  const runs: string[] = [];
  const gates: (() => void)[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  const job = (input: string) => new Promise<void>((resolve) => {
    runs.push(input);
    gates.push(resolve);
    for (const w of waiting.filter((x) => x.n <= runs.length)) w.resolve();
  });
  const started = (n: number) => new Promise<void>((resolve) => {
    if (runs.length >= n) resolve();
    else waiting.push({ n, resolve });
  });
  return { runs, job, started, release: () => { gates.shift()?.(); } };
}

describe('latestOnly', () => {
  it('never runs twice at once, and runs only the latest input submitted meanwhile', async () => {
    const { runs, job, started, release } = gatedJob();
    const runner = latestOnly(job, () => undefined);
    runner.submit('a');
    runner.submit('b');
    runner.submit('c');
    expect(runs).toEqual(['a']);
    release();
    await started(2);
    expect(runs).toEqual(['a', 'c']);
    release();
    await runner.idle();
    expect(runs).toEqual(['a', 'c']);
  });

  it('reports a failed run and goes on with the next input', async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    const runner = latestOnly((input: string) => {
      seen.push(input);
      return input === 'bad' ? Promise.reject(new Error('boom')) : Promise.resolve();
    }, (err) => { errors.push(err); });
    runner.submit('bad');
    await runner.idle();
    runner.submit('good');
    await runner.idle();
    expect(seen).toEqual(['bad', 'good']);
    expect(errors).toHaveLength(1);
  });
});
