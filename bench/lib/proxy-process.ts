// Starts a proxy other than Bollard (HAProxy, Caddy) as a child in the foreground, pinned to its
// CPUs, with its config written into its own directory; ready once its HTTP port accepts TCP.
// Its stdout and stderr go to a log file in that directory. Stopped by PID.
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawnManaged } from '../../test/harness/processes.ts';
import { waitUntilReady } from '../../test/harness/readiness.ts';
import { pinnedCommand, type CpuPlan } from './cpu-plan.ts';

export interface ProxyProcess {
  readonly pid: number;
  readonly dir: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface ProxyProcessOptions {
  readonly what: string;
  readonly dir: string;
  /** Files to write into `dir` first (the config, a PEM bundle), by name. */
  readonly files: Readonly<Record<string, string>>;
  readonly command: string;
  /** Arguments; `{dir}` is replaced by the instance's directory. */
  readonly args: readonly string[];
  readonly plan: CpuPlan;
  readonly cpus: readonly number[];
  readonly probe: { readonly host: string; readonly port: number };
}

/** Whether `host:port` accepts a TCP connection now (a readiness probe). */
export const accepts = (host: string, port: number): Promise<true | undefined> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => { resolve(undefined); });
  });

export async function startProxyProcess(o: ProxyProcessOptions): Promise<ProxyProcess> {
  await mkdir(o.dir, { recursive: true });
  for (const [name, text] of Object.entries(o.files)) await writeFile(join(o.dir, name), text, { mode: 0o600 });
  const [file, args] = pinnedCommand(o.plan, o.cpus, o.command, o.args.map((a) => a.replaceAll('{dir}', o.dir)));
  const logFile = join(o.dir, 'output.log');
  const proc = spawnManaged(file, args, { logFile, cwd: o.dir });
  await waitUntilReady(proc, () => accepts(o.probe.host, o.probe.port), { what: o.what, timeoutMs: 15_000, intervalMs: 20, logFile });
  return { pid: proc.pid, dir: o.dir, logFile, stop: () => proc.stop() };
}
