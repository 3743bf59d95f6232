// Finds the pinned kube-apiserver through scripts/kube-build.sh, which builds it once and caches it
// in ~/.cache/bollard; later calls print the cached path at once.
import { kubeBuild } from './kube-build.ts';

export async function kubeApiserverBinary(log: (line: string) => void): Promise<string> {
  const [path] = await kubeBuild(['kube-apiserver'], log);
  return path ?? '';
}
