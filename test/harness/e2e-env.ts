// Used inside e2e test files (Jest workers): the environment global-setup.ts started, read from
// its state file, plus helpers bound to it — kubectl, backends in the shared network namespace,
// a fresh namespace per spec, and a namespace dump for failing specs.
import { randomBytes } from 'node:crypto';
import { startBackendInNetns } from './backend.ts';
import type { Backend } from './backend.ts';
import { E2E_STATE_ENV, E2E_STATE_FILE, readE2eState } from './e2e-state.ts';
import type { E2eState } from './e2e-state.ts';
import { runKubectl } from './kubectl.ts';

export type { Backend } from './backend.ts';
export type { E2eState } from './e2e-state.ts';

export function loadE2eEnv(): Promise<E2eState> {
  return readE2eState(process.env[E2E_STATE_ENV] ?? E2E_STATE_FILE);
}

/** kubectl as cluster admin against the e2e control plane; returns stdout. */
export async function kubectl(args: readonly string[], stdinYaml?: string): Promise<string> {
  const { kubeconfig } = await loadE2eEnv();
  return runKubectl(kubeconfig, args, stdinYaml);
}

/**
 * Starts an echo-server in the run's backend network namespace, on `address` (default: the first
 * namespace address). The test owns it: call stop().
 */
export async function startBackend(name: string, opts: { address?: string } = {}): Promise<Backend> {
  const env = await loadE2eEnv();
  return startBackendInNetns(env.netns, name, opts.address ?? env.addresses[0] ?? '');
}

/** Creates a namespace named `<prefix>-<random>` and returns its name. */
export async function createTestNamespace(prefix = 'e2e'): Promise<string> {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 50)}-${randomBytes(3).toString('hex')}`;
  await kubectl(['create', 'namespace', name]);
  return name;
}

/**
 * Deletes a spec's namespace without waiting: with no controller-manager the namespace stays
 * Terminating, but its name is never reused.
 */
export async function deleteTestNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
}

const DUMP_KINDS = 'services,endpointslices,ingresses,secrets,configmaps,serviceaccounts,roles,rolebindings,leases,events';

/** Everything a failing spec's namespace holds, as YAML, plus the cluster's IngressClasses. */
export async function dumpNamespace(name: string): Promise<string> {
  const [objects, classes] = await Promise.all([
    kubectl(['get', DUMP_KINDS, '-n', name, '-o', 'yaml']),
    kubectl(['get', 'ingressclasses', '-o', 'yaml']),
  ]);
  return `# namespace ${name}\n${objects}\n# ingressclasses\n${classes}`;
}

/**
 * Wraps a spec body so that, when it fails, the namespace's objects are written to stderr before
 * the failure is reported: `it('…', dumpingOnFailure(() => ns, async () => { … }))`.
 */
export function dumpingOnFailure(namespace: () => string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (err: unknown) {
      const dump = await dumpNamespace(namespace()).catch((e: unknown) => `(dump failed: ${String(e)})`);
      process.stderr.write(`${dump}\n`);
      throw err;
    }
  };
}
