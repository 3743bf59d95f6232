// Runs the openssl command line; the one place the harness shells out to it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class OpensslError extends Error {
  readonly code = 'OPENSSL_FAILED';
}

export async function openssl(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run('openssl', args, { cwd });
    return stdout;
  } catch (err: unknown) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : String(err);
    throw new OpensslError(`openssl ${args.join(' ')}: ${stderr.trim()}`);
  }
}
