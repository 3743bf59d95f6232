// `make fuzz`: the HTTP/1 differential test (Bollard vs llhttp) over many generated streams.
// FUZZ_SEED (default: random) is the first seed and FUZZ_ITERATIONS (default 100000, ~15 s) the count; the
// seed is printed first so a run can be repeated. Each divergence is printed with its seed and
// input (add it to REGRESSIONS in test/feature/dataplane/http1-differential.test.ts); exit 1 if any.
import { check, describeInput } from '../test/support/http1-diff/check.ts';
import { generateStream } from '../test/support/http1-diff/generate.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const first = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const count = Number(process.env.FUZZ_ITERATIONS ?? 100_000);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || count < 1) throw new Error('FUZZ_SEED and FUZZ_ITERATIONS must be integers');
  say(`fuzz-http1: seed ${first}, ${count} streams (repeat with FUZZ_SEED=${first} FUZZ_ITERATIONS=${count} make fuzz)`);
  const started = performance.now();
  let divergent = 0;
  let bothRead = 0;
  let llhttpOnly = 0;
  for (let i = 0; i < count; i++) {
    const seed = first + i;
    const pieces = generateStream(seed);
    const v = await check(pieces);
    bothRead += Math.min(v.bollard.requests.length, v.llhttp.requests.length);
    llhttpOnly += Math.max(0, v.llhttp.requests.length - v.bollard.requests.length);
    if (v.divergence !== undefined) {
      divergent++;
      say(`DIVERGENCE seed ${seed}: ${v.divergence}\n  input ${describeInput(pieces)}\n  bollard error ${v.bollard.error ?? '-'}, llhttp error ${v.llhttp.error ?? '-'}`);
    }
    if ((i + 1) % 5000 === 0) say(`  ${i + 1}/${count} streams, ${divergent} divergent`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(`fuzz-http1: ${count} streams in ${seconds} s: ${divergent} divergent; requests read by both ${bothRead}, only by llhttp (Bollard stricter) ${llhttpOnly}`);
  return divergent === 0 ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`fuzz-http1: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
