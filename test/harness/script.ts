// Runs one of scripts/*.sh that build and cache something (kube-build.sh, pause-image.sh): their
// stdout is the result (paths, one a line), their stderr progress, passed to `log` line by line.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { REPO_ROOT } from './repo.ts';

export class ScriptError extends Error {
  readonly code = 'SCRIPT_FAILED';
}

/** The script's stdout lines; throws ScriptError on a non-zero exit. */
export async function runScript(name: string, args: readonly string[], log: (line: string) => void): Promise<string[]> {
  const child = spawn('bash', [`${REPO_ROOT}/scripts/${name}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim() !== '') log(line.trim());
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new ScriptError(`scripts/${name} ${args.join(' ')} failed (exit ${String(code)})`);
  return stdout.split('\n').filter((line) => line.trim() !== '');
}
