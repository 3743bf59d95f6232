// Starts nginx in the foreground (`-g 'daemon off;'`) with a config in its own directory,
// optionally inside a network namespace and pinned to CPUs; ready once its port accepts TCP.
// Stopped by PID (SIGTERM to the master, which stops its workers).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnManaged } from '../../test/harness/processes.ts';
import { waitUntilReady } from '../../test/harness/readiness.ts';
import { accepts } from './proxy-process.ts';
import { pinnedCommand, type CpuPlan } from './cpu-plan.ts';

export interface NginxProcess {
  readonly pid: number;
  readonly dir: string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  readonly what: string;
  readonly dir: string;
  readonly config: string;
  readonly plan: CpuPlan;
  readonly cpus: readonly number[];
  /** Run inside this network namespace (`ip netns exec`). */
  readonly netns?: string;
  /** An address it listens on, probed for readiness. */
  readonly probe: { readonly host: string; readonly port: number };
}

export async function startNginx(opts: NginxOptions): Promise<NginxProcess> {
  await mkdir(opts.dir, { recursive: true });
  const conf = join(opts.dir, 'nginx.conf');
  await writeFile(conf, opts.config);
  const [file, args] = pinnedCommand(opts.plan, opts.cpus, 'nginx', ['-p', opts.dir, '-c', conf, '-g', 'daemon off;']);
  const [command, argv] = opts.netns === undefined ? [file, args] : ['ip', ['netns', 'exec', opts.netns, file, ...args]];
  const logFile = join(opts.dir, 'stderr.log');
  const proc = spawnManaged(command, argv, { logFile });
  await waitUntilReady(proc, () => accepts(opts.probe.host, opts.probe.port), { what: opts.what, timeoutMs: 10_000, intervalMs: 20, logFile });
  return { pid: proc.pid, dir: opts.dir, stop: () => proc.stop() };
}
