// Child processes the harness owns: spawned with their output in a log file, killed by PID.
//
// Nothing may outlive the harness. Attached children are started through `setpriv --pdeathsig
// KILL` (util-linux; it execs, so the PID is the program's own), which makes the kernel kill them
// when the parent dies for any reason, SIGKILL included. A process 'exit' hook SIGKILLs every child
// still running too. Detached children (scripts/cluster.ts up) have no death signal and are meant
// to outlive the command that started them: it release()s them from the exit hook once they are
// all up, and `cluster.ts down` stops them later by PID.
import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const SETPRIV = '/usr/bin/setpriv';
const DEFAULT_GRACE_MS = 5000;

export interface SpawnOptions {
  /** Append stdout and stderr to this file. Without it, both are piped to the caller. */
  readonly logFile?: string;
  /** Start in its own session, not killed when the parent dies (for `cluster.ts up`). */
  readonly detached?: boolean;
  readonly cwd?: string;
}

export interface Managed {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with a description ("exit code 1", "signal SIGKILL") once the process has exited. */
  readonly exited: Promise<string>;
  stop(graceMs?: number): Promise<void>;
  /** Let the process outlive this one: no SIGKILL from the exit hook. */
  release(): void;
}

export class SpawnError extends Error {
  readonly code = 'SPAWN_FAILED';
}

// The one piece of process-wide state: PIDs to SIGKILL if this process exits while they still
// run. A process-wide registry because 'exit' is a process-wide event.
const killOnExit = new Set<number>();
let exitHookInstalled = false;

function registerKillOnExit(pid: number): void {
  killOnExit.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of killOnExit) signal(p, 'SIGKILL');
  });
}

export function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function stdioFor(opts: SpawnOptions): { stdio: StdioOptions; fd?: number } {
  if (opts.logFile === undefined) return { stdio: ['ignore', 'pipe', 'pipe'] };
  const fd = openSync(opts.logFile, 'a');
  return { stdio: ['ignore', fd, fd], fd };
}

export function spawnManaged(command: string, args: readonly string[], opts: SpawnOptions = {}): Managed {
  const detached = opts.detached === true;
  const [file, argv] =
    !detached && existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
  const { stdio, fd } = stdioFor(opts);
  const child = spawn(file, argv, { stdio, detached, cwd: opts.cwd });
  if (fd !== undefined) closeSync(fd);
  const exited = once(child, 'exit').then(
    ([code, sig]: unknown[]) => (typeof sig === 'string' ? `signal ${sig}` : `exit code ${String(code)}`),
    (err: unknown) => `spawn error: ${err instanceof Error ? err.message : String(err)}`,
  );
  const pid = child.pid;
  if (pid === undefined) throw new SpawnError(`could not start ${command}`);
  void exited.then(() => killOnExit.delete(pid));
  registerKillOnExit(pid);
  if (detached) child.unref();
  return {
    pid,
    child,
    exited,
    stop: (graceMs) => stopChild(child, exited, graceMs),
    release: () => void killOnExit.delete(pid),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<string>, graceMs = DEFAULT_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = AbortSignal.timeout(graceMs);
  const graceful = await Promise.race([exited.then(() => true), once(timer, 'abort').then(() => false)]);
  if (!graceful) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!signal(pid, 0)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of `pid`, or '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Stops a process that is not our child (started by another command): SIGTERM, then SIGKILL. */
export async function killPid(pid: number, graceMs = DEFAULT_GRACE_MS): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  if (await waitGone(pid, graceMs)) return;
  signal(pid, 'SIGKILL');
  await waitGone(pid, graceMs);
}
