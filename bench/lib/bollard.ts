// Runs the real controller (`node src/main.ts controller`) for the proxy benchmark. Unlike the
// test harness's startBollard, its output goes to a log file, not a pipe: the access log writes a
// line per request, and a pipe the benchmark has to drain would put this script on the hot path.
// Ports come from the "listening" log lines (port 0 everywhere); ready means /readyz answered 200.
import { execFile } from 'node:child_process';
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnManaged } from '../../test/harness/processes.ts';
import { waitUntilReady } from '../../test/harness/readiness.ts';
import { REPO_ROOT } from '../../test/harness/repo.ts';
import { SERVING_V8_FLAGS } from '../../src/workers/serving-v8-flags.ts';
import { pinnedCommand, type CpuPlan } from './cpu-plan.ts';

const run = promisify(execFile);
const MAIN = join(REPO_ROOT, 'src', 'main.ts');
// The image's V8 flags (Dockerfile), so the benchmark measures what operators run.
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning', ...SERVING_V8_FLAGS];

export interface BenchBollard {
  readonly pid: number;
  readonly httpPort: number;
  /** Undefined when this build has no HTTPS listener (no `listening` line for it). */
  readonly httpsPort: number | undefined;
  readonly adminUrl: string;
  readonly logFile: string;
  /** Empties the log file (the access log grows by a line per request). */
  truncateLog(): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchBollardOptions {
  readonly name: string;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly plan: CpuPlan;
  readonly cpus: readonly number[];
  readonly args: readonly string[];
  /** Write V8 CPU profiles (--cpu-prof) into this directory; they are written when it exits. */
  readonly cpuProfDir?: string;
  readonly readyTimeoutMs?: number;
}

/** The controller's flags, from its --help ("--workers" etc.), to use new capabilities when they land. */
export async function bollardFlags(): Promise<Set<string>> {
  const { stdout } = await run(process.execPath, [...NODE_FLAGS, MAIN, 'controller', '--help'], { cwd: REPO_ROOT });
  return new Set([...stdout.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? ''));
}

function listeningPorts(text: string): Map<string, number> {
  const ports = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const l = JSON.parse(line) as { msg?: unknown; listener?: unknown; port?: unknown };
      if (l.msg === 'listening' && typeof l.listener === 'string' && typeof l.port === 'number' && !ports.has(l.listener)) ports.set(l.listener, l.port);
    } catch {
      // not a JSON line
    }
  }
  return ports;
}

export async function startBenchBollard(o: BenchBollardOptions): Promise<BenchBollard> {
  const logFile = join(o.dir, `${o.name}.log`);
  const prof = o.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir];
  const args = [
    ...NODE_FLAGS, ...prof, MAIN, 'controller', '--kubeconfig', o.kubeconfig,
    '--bind-address', '127.0.0.1', '--http-port', '0', '--https-port', '0', '--admin-address', '127.0.0.1', '--admin-port', '0',
    '--drain-seconds', '0', ...o.args,
  ];
  const [file, argv] = pinnedCommand(o.plan, o.cpus, process.execPath, args);
  const proc = spawnManaged(file, argv, { logFile, cwd: REPO_ROOT });
  const readPorts = async (): Promise<Map<string, number>> => listeningPorts(await readFile(logFile, 'utf8').catch(() => ''));
  const adminPort = await waitUntilReady(proc, async () => (await readPorts()).get('admin'), { what: `bollard ${o.name} admin port`, timeoutMs: 30_000, intervalMs: 50, logFile });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitUntilReady(proc, async () => ((await fetch(`${adminUrl}/readyz`)).status === 200 ? true : undefined), {
    what: `bollard ${o.name} /readyz`, timeoutMs: o.readyTimeoutMs ?? 60_000, intervalMs: 100, logFile,
  });
  const ports = await readPorts();
  const httpPort = ports.get('http');
  if (httpPort === undefined) {
    await proc.stop();
    throw new Error(`bollard ${o.name} is ready but logged no http listener (see ${logFile})`);
  }
  return {
    pid: proc.pid, httpPort, httpsPort: ports.get('https'), adminUrl, logFile,
    truncateLog: () => truncate(logFile, 0),
    stop: () => proc.stop(15_000),
  };
}
