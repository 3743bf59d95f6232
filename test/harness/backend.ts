// Starts an echo-server inside a network namespace and waits for the `{"port":N}` line it prints.
import { createInterface } from 'node:readline';
import { spawnManaged } from './processes.ts';
import { REPO_ROOT } from './repo.ts';
import { waitUntilReady } from './readiness.ts';

export interface Backend {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export class BackendStartError extends Error {
  readonly code = 'BACKEND_START_FAILED';
}

const ECHO_SERVER = `${REPO_ROOT}/test/harness/echo-server.ts`;

function parsePort(line: string): number | undefined {
  try {
    const parsed = JSON.parse(line) as { port?: unknown };
    return typeof parsed.port === 'number' ? parsed.port : undefined;
  } catch {
    return undefined;
  }
}

export async function startBackendInNetns(netns: string, name: string, ip: string, timeoutMs = 10_000): Promise<Backend> {
  const proc = spawnManaged('ip', ['netns', 'exec', netns, process.execPath, ECHO_SERVER, '--name', name, '--host', ip]);
  const { stdout, stderr } = proc.child;
  if (stdout === null || stderr === null) throw new BackendStartError('echo-server started without pipes');
  let errors = '';
  stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  let port: number | undefined;
  createInterface({ input: stdout }).on('line', (line) => (port ??= parsePort(line)));
  try {
    const found = await waitUntilReady(proc, () => Promise.resolve(port), {
      what: `echo-server ${name} on ${ip} in ${netns}`,
      timeoutMs,
      intervalMs: 20,
    });
    return { name, ip, port: found, pid: proc.pid, stop: () => proc.stop() };
  } catch (err: unknown) {
    throw new BackendStartError(`${err instanceof Error ? err.message : String(err)}${errors === '' ? '' : `\n${errors}`}`);
  }
}
