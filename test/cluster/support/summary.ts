// The one line each cluster scenario prints (`as-pods: rolling update, 12,345 requests, 0 failed`),
// also appended to a file the global teardown prints again at the end, where Jest's own output
// cannot bury it.
import { appendFile } from 'node:fs/promises';
import { RUN_DIR } from '../../harness/repo.ts';

export const SUMMARY_FILE = `${RUN_DIR}/as-pods-summary.txt`;

const count = (n: number): string => n.toLocaleString('en-US');

/** `as-pods: <scenario>, <requests> requests, <details…>` (no count where no load ran). */
export function summaryLine(scenario: string, requests: number | undefined, details: readonly string[]): string {
  return [`as-pods: ${scenario}`, ...(requests === undefined ? [] : [`${count(requests)} requests`]), ...details].join(', ');
}

export async function printSummary(line: string): Promise<void> {
  process.stderr.write(`${line}\n`);
  await appendFile(SUMMARY_FILE, `${line}\n`);
}

export { count };
