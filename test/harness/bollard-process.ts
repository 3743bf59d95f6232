// Runs the real Bollard controller (`node src/main.ts controller`) as a child process for e2e
// tests and `make dev`: ports are chosen by the controller (port 0) and read from its
// "listening" log lines; ready means /readyz answered 200. Stopped by PID.
import { createInterface } from 'node:readline';
import { spawnManaged, type Managed } from './processes.ts';
import { SERVING_V8_FLAGS } from '../../src/workers/serving-v8-flags.ts';
import { REPO_ROOT } from './repo.ts';
import { waitFor } from './wait-for.ts';

export interface BollardProcess {
  readonly pid: number;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly adminPort: number;
  readonly httpUrl: string;
  readonly adminUrl: string;
  /** Every JSON log line so far, parsed. */
  readonly logs: readonly Record<string, unknown>[];
  readonly exited: Promise<string>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface BollardOptions {
  readonly kubeconfig: string;
  /** Extra flags, e.g. ['--publish-status-address', '192.0.2.10']. */
  readonly args?: readonly string[];
  readonly readyTimeoutMs?: number;
  /** Mirror log lines to this function (make dev prints them). */
  readonly onLog?: (line: string) => void;
}

export async function startBollard(opts: BollardOptions): Promise<BollardProcess> {
  const args = [
    // The same V8 flags as the image's entrypoint (Dockerfile).
    '--disable-warning=ExperimentalWarning', ...SERVING_V8_FLAGS, 'src/main.ts', 'controller', '--kubeconfig', opts.kubeconfig,
    '--bind-address', '127.0.0.1', '--http-port', '0', '--https-port', '0', '--admin-address', '127.0.0.1', '--admin-port', '0',
    '--drain-seconds', '0', ...(opts.args ?? []),
  ];
  const proc: Managed = spawnManaged(process.execPath, args, { cwd: REPO_ROOT });
  const logs: Record<string, unknown>[] = [];
  const ports = new Map<string, number>();
  let stderr = '';
  proc.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  if (proc.child.stdout) {
    createInterface(proc.child.stdout).on('line', (line) => {
      opts.onLog?.(line);
      const parsed = parseLine(line);
      if (!parsed) return;
      logs.push(parsed);
      if (parsed.msg === 'listening' && typeof parsed.listener === 'string' && typeof parsed.port === 'number') {
        ports.set(parsed.listener, parsed.port);
      }
    });
  }
  const gone = new AbortController();
  void proc.exited.then(() => { gone.abort(new Error(`bollard exited early: ${stderr.trim().slice(-2000)}`)); });
  const adminPort = await waitFor(() => Promise.resolve(ports.get('admin')), { what: 'bollard admin port', timeoutMs: 20_000, intervalMs: 20, abort: gone.signal });
  const httpPort = await waitFor(() => Promise.resolve(ports.get('http')), { what: 'bollard http port', timeoutMs: 20_000, intervalMs: 20, abort: gone.signal });
  const httpsPort = await waitFor(() => Promise.resolve(ports.get('https')), { what: 'bollard https port', timeoutMs: 20_000, intervalMs: 20, abort: gone.signal });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitFor(async () => ((await fetch(`${adminUrl}/readyz`)).status === 200 ? true : undefined), {
    what: 'bollard /readyz', timeoutMs: opts.readyTimeoutMs ?? 30_000, intervalMs: 50, abort: gone.signal,
  });
  return {
    pid: proc.pid, httpPort, httpsPort, adminPort, adminUrl, httpUrl: `http://127.0.0.1:${httpPort}`, logs, exited: proc.exited,
    stop: (graceMs) => proc.stop(graceMs),
  };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
