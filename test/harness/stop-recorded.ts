// Stops what an E2eState records, by PID (kube-apiserver before etcd), and removes its backend
// network with anything still running inside it. Safe to run twice.
import type { E2eState } from './e2e-state.ts';
import { destroyBackendNetwork } from './netns.ts';
import { commandLine, killPid } from './processes.ts';

const OURS = /\b(etcd|kube-apiserver)\b/;

/** Guards against PID reuse: only kill a recorded PID that still runs etcd or kube-apiserver. */
export function isControlPlaneProcess(pid: number): boolean {
  return OURS.test(commandLine(pid));
}

export async function stopRecorded(state: Pick<E2eState, 'pids' | 'netns'>): Promise<void> {
  for (const pid of [...state.pids].reverse()) {
    if (isControlPlaneProcess(pid)) await killPid(pid);
  }
  if (state.netns !== '') await destroyBackendNetwork(state.netns);
}
