// kubectl through child_process, always with an explicit --kubeconfig. Returns stdout; a non-zero
// exit becomes a KubectlError carrying the exit code, stdout and stderr (`kubectl auth can-i`
// answers "no" on stdout with exit code 1).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { CommandError } from './command-error.ts';

export class KubectlError extends CommandError {
  readonly code = 'KUBECTL_FAILED';
}

export async function runKubectl(kubeconfig: string, args: readonly string[], stdin?: string): Promise<string> {
  // Discovery cache beside the kubeconfig: every run has a new port, ~/.kube/cache would only grow.
  const cacheDir = join(dirname(kubeconfig), 'kubectl-cache');
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(stdin ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) {
    const detail = stderr.trim() !== '' ? stderr.trim() : stdout.trim();
    throw new KubectlError(`kubectl ${args.join(' ')} (exit ${String(code)}): ${detail}`, { exitCode: code, stdout, stderr });
  }
  return stdout;
}
