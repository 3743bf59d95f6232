// `make bench`: runs every benchmark in sequence — convergence, proxy, then acme when bench/acme.ts
// exists, then any other bench/*.ts — each as its own process with its output passed through, then
// a summary. The last line printed is the proxy benchmark's `proxy/nginx req/s ratio (c64, 100B, http): X`.
// `node bench/run.ts proxy` runs only the named benchmarks. Exits 1 when any benchmark failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/harness/repo.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const FIRST = ['convergence', 'proxy', 'acme'];

/** The benchmarks present: the known ones in their order, then any other bench/*.ts by name. */
function available(): string[] {
  const present = readdirSync(join(REPO_ROOT, 'bench')).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
  return [...FIRST.filter((n) => present.includes(n)), ...present.filter((n) => !FIRST.includes(n)).sort()];
}
const PROXY_LINE = /^proxy\/nginx req\/s ratio \(c64, 100B, http\): /;

interface Outcome {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly how: string;
}

/** Runs bench/<name>.ts, echoing its output; remembers the proxy ratio line. */
async function runOne(name: string, onLine: (line: string) => void): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join('bench', `${name}.ts`)], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', onLine);
  const forward = (sig: NodeJS.Signals): void => { child.kill(sig); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const how = await new Promise<string>((resolve) => {
    child.once('error', (err) => { resolve(`could not start: ${err.message}`); });
    child.once('close', (code, sig) => { resolve(sig === null ? `exit code ${String(code)}` : `signal ${sig}`); });
  });
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  return { name, ok: how === 'exit code 0', seconds: Math.round((performance.now() - started) / 1000), how };
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const all = available();
  const unknown = wanted.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`bench/run: unknown benchmark(s) ${unknown.join(', ')}; choose from ${all.join(', ')}\n`);
    return 2;
  }
  const names = all.filter((n) => wanted.length === 0 || wanted.includes(n));
  let proxyLine: string | undefined;
  const outcomes: Outcome[] = [];
  for (const [i, name] of names.entries()) {
    say(`bench ${i + 1}/${names.length}: ${name} (started ${new Date().toISOString().slice(11, 19)} UTC)`);
    const outcome = await runOne(name, (line) => {
      say(line);
      if (PROXY_LINE.test(line)) proxyLine = line;
    });
    outcomes.push(outcome);
    say(`bench ${i + 1}/${names.length}: ${name} ${outcome.ok ? 'done' : `FAILED (${outcome.how})`} in ${outcome.seconds} s`);
  }
  say('');
  for (const o of outcomes) say(`bench ${o.name}: ${o.ok ? 'ok' : `FAILED (${o.how})`}, ${o.seconds} s`);
  if (names.includes('proxy')) say(proxyLine ?? 'proxy/nginx req/s ratio (c64, 100B, http): unavailable (the proxy benchmark failed)');
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`bench/run: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
