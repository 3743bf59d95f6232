// Jest globalSetup for the e2e project: ONE control plane and ONE backend network per test run,
// recorded in .run/e2e-<pid>/state.json — the path goes to the workers in BOLLARD_E2E_STATE — and
// copied to .run/e2e-state.json (the latest run). Each run reads its own file, so two runs at
// once (two checkouts' worth of agents, a watch mode) never stop each other's processes. Logs
// stay in .run/e2e-<pid>/ until a later run starts.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startControlPlane } from './control-plane.ts';
import { E2E_STATE_ENV, E2E_STATE_FILE, writeE2eState } from './e2e-state.ts';
import { createBackendNetwork, pruneStaleBackendNetworks } from './netns.ts';
import { isAlive } from './processes.ts';
import { RUN_DIR } from './repo.ts';

const log = (line: string): void => void process.stderr.write(`[e2e] ${line}\n`);

/** Removes `.run/e2e-<pid>` directories (logs) of earlier runs whose Jest process is gone. */
async function pruneStaleRunDirs(): Promise<void> {
  const entries = await readdir(RUN_DIR).catch(() => []);
  for (const entry of entries) {
    const pid = /^e2e-(\d+)$/.exec(entry)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await rm(`${RUN_DIR}/${entry}`, { recursive: true, force: true });
  }
}

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const pruned = await pruneStaleBackendNetworks();
  if (pruned.length > 0) log(`removed stale backend networks: ${pruned.join(', ')}`);
  await pruneStaleRunDirs();
  const dir = `${RUN_DIR}/e2e-${process.pid}`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  log(`starting control plane in ${dir}`);
  const [plane, network] = await Promise.allSettled([
    startControlPlane({ dir, log }),
    createBackendNetwork(`e2e-${process.pid}`),
  ]);
  if (plane.status === 'rejected') {
    if (network.status === 'fulfilled') await network.value.destroy();
    throw plane.reason as Error;
  }
  if (network.status === 'rejected') {
    await plane.value.stop();
    throw network.reason as Error;
  }
  const { kubeconfig, server, pids } = plane.value;
  const { name: netns, hostIp, addresses } = network.value;
  const state = { kubeconfig, server, netns, hostIp, addresses, pids, dir };
  const own = join(dir, 'state.json');
  await writeE2eState(own, state);
  await writeE2eState(E2E_STATE_FILE, state);
  process.env[E2E_STATE_ENV] = own;
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${server}, backends on ${netns} (${addresses.join(', ')})`);
}
