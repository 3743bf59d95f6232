// Waits for a freshly started process to answer its readiness probe, failing at once (instead of
// at the deadline) when the process exits first, and quoting the end of its log either way. A
// process that never became ready is stopped before the error is thrown.
import { readFile } from 'node:fs/promises';
import type { Managed } from './processes.ts';
import { waitFor } from './wait-for.ts';

export interface ReadyOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Quoted (last lines) in the error when the process dies or never becomes ready. */
  readonly logFile?: string;
}

export class NotReadyError extends Error {
  readonly code = 'NOT_READY';
}

export async function logTail(file: string | undefined, lines = 30): Promise<string> {
  if (file === undefined) return '';
  try {
    const text = await readFile(file, 'utf8');
    return `\n--- last lines of ${file} ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`;
  } catch {
    return '';
  }
}

export async function waitUntilReady<T>(
  proc: Managed,
  probe: () => Promise<T | undefined>,
  opts: ReadyOptions,
): Promise<T> {
  const died = new AbortController();
  let exit = '';
  void proc.exited.then((how) => {
    exit = how;
    died.abort();
  });
  try {
    return await waitFor(probe, { ...opts, abort: died.signal });
  } catch (err: unknown) {
    await proc.stop();
    const why = exit !== '' ? `${opts.what} exited (${exit}) before it was ready` : String(err instanceof Error ? err.message : err);
    throw new NotReadyError(`${why}${await logTail(opts.logFile)}`);
  }
}
