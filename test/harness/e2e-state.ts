// What the e2e globalSetup (and `scripts/cluster.ts up`) records about the environment it
// started, as JSON, so other processes — Jest workers, the teardown, `cluster.ts down` — can use
// it or stop it by PID.
import { readFile, writeFile } from 'node:fs/promises';
import { RUN_DIR } from './repo.ts';

export interface E2eState {
  readonly kubeconfig: string;
  readonly server: string;
  /** The backend network namespace; '' when none was created. */
  readonly netns: string;
  readonly hostIp: string;
  readonly addresses: string[];
  /** Processes to stop, in start order (etcd before kube-apiserver). */
  readonly pids: number[];
  /** The directory with certificates, data and logs. */
  readonly dir: string;
}

export const E2E_STATE_FILE = `${RUN_DIR}/e2e-state.json`;
export const E2E_STATE_ENV = 'BOLLARD_E2E_STATE';

export class E2eStateError extends Error {
  readonly code = 'E2E_STATE_INVALID';
}

function isState(value: unknown): value is E2eState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const strings = ['kubeconfig', 'server', 'netns', 'hostIp', 'dir'].every((k) => typeof v[k] === 'string');
  const lists = Array.isArray(v.addresses) && Array.isArray(v.pids);
  return strings && lists && (v.pids as unknown[]).every((p) => Number.isInteger(p));
}

export async function readE2eState(path: string): Promise<E2eState> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err: unknown) {
    throw new E2eStateError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isState(parsed)) throw new E2eStateError(`${path} is not an e2e state file`);
  return parsed;
}

export async function writeE2eState(path: string, state: E2eState): Promise<void> {
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`);
}
