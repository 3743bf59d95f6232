// Finds the pinned kube-apiserver through scripts/kube-apiserver-build.sh, which builds it once and
// caches it in ~/.cache/bollard; later calls print the cached path at once.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { REPO_ROOT } from './repo.ts';

export class KubeApiserverBuildError extends Error {
  readonly code = 'KUBE_APISERVER_BUILD_FAILED';
}

export async function kubeApiserverBinary(log: (line: string) => void): Promise<string> {
  const child = spawn('bash', [`${REPO_ROOT}/scripts/kube-apiserver-build.sh`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim() !== '') log(line.trim());
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const path = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || path === '') throw new KubeApiserverBuildError(`kube-apiserver-build.sh failed (exit ${String(code)})`);
  return path;
}
