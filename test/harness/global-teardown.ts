// Jest globalTeardown for the e2e project: stops what global-setup.ts recorded, by PID, and
// deletes the backend network namespace. The run directory keeps its logs for inspection; the
// etcd data (64 MB of preallocated WAL) goes.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_STATE_ENV, E2E_STATE_FILE, readE2eState } from './e2e-state.ts';
import { ETCD_DATA_DIR } from './etcd.ts';
import { stopRecorded } from './stop-recorded.ts';

export default async function globalTeardown(): Promise<void> {
  const state = await readE2eState(process.env[E2E_STATE_ENV] ?? E2E_STATE_FILE);
  await stopRecorded(state);
  const latest = await readE2eState(E2E_STATE_FILE).catch(() => undefined);
  if (latest?.dir === state.dir) await rm(E2E_STATE_FILE, { force: true });
  await rm(join(state.dir, ETCD_DATA_DIR), { recursive: true, force: true });
  process.stderr.write(`[e2e] stopped control plane (pids ${state.pids.join(', ')}) and removed ${state.netns}\n`);
}
