// Runs iproute2's `ip`; the one place the harness shells out to it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class IpCommandError extends Error {
  readonly code = 'IP_COMMAND_FAILED';
}

export async function ip(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args);
    return stdout;
  } catch (err: unknown) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : String(err);
    throw new IpCommandError(`ip ${args.join(' ')}: ${stderr.trim()}`);
  }
}

/** Like ip(), for clean-up steps whose target may already be gone. */
export async function ipQuiet(args: readonly string[]): Promise<void> {
  await ip(args).catch(() => undefined);
}
