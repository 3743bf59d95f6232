// Finds pinned Go programs (kube-apiserver, kubelet, …, coredns, metrics-server) through
// scripts/kube-build.sh, which builds each module once and caches it in ~/.cache/bollard; later
// calls print the cached paths at once.
import { runScript, ScriptError } from './script.ts';

/** The cached binaries' paths, in the order asked. */
export async function kubeBuild(names: readonly string[], log: (line: string) => void): Promise<string[]> {
  const paths = await runScript('kube-build.sh', names, log);
  if (paths.length !== names.length) throw new ScriptError(`kube-build.sh ${names.join(' ')} printed ${paths.length} paths`);
  return paths;
}
