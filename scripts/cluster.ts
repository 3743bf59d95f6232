// The local control plane outside Jest, for development:
//   node scripts/cluster.ts up          start etcd + kube-apiserver (+ backend network) in .run/cluster/,
//                                       detached, and print the kubeconfig; reports a running one instead
//   node scripts/cluster.ts down        stop them by PID and remove the backend network
//   node scripts/cluster.ts node-up     the one-node cluster (make cluster): test/harness/cluster/
//   node scripts/cluster.ts node-down   take it down completely (make cluster-down)
// .run/cluster/pids.json records what `down` stops; .run/cluster/state.json is the same record the
// e2e globalSetup writes (BOLLARD_E2E_STATE=.run/cluster/state.json makes test/harness/e2e-env.ts
// use this cluster).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startControlPlane } from '../test/harness/control-plane.ts';
import type { ControlPlane } from '../test/harness/control-plane.ts';
import type { E2eState } from '../test/harness/e2e-state.ts';
import { writeE2eState } from '../test/harness/e2e-state.ts';
import { ETCD_DATA_DIR } from '../test/harness/etcd.ts';
import { runKubectl } from '../test/harness/kubectl.ts';
import { createBackendNetwork, destroyBackendNetwork } from '../test/harness/netns.ts';
import type { BackendNetwork } from '../test/harness/netns.ts';
import { isAlive } from '../test/harness/processes.ts';
import { RUN_DIR } from '../test/harness/repo.ts';
import { isControlPlaneProcess, stopRecorded } from '../test/harness/stop-recorded.ts';
import { nodeDown, nodeUp } from './node-cluster.ts';

const DIR = join(RUN_DIR, 'cluster');
const PIDS_FILE = join(DIR, 'pids.json');
const STATE_FILE = join(DIR, 'state.json');
const KUBECONFIG = join(DIR, 'admin.kubeconfig');
const NETWORK_ID = 'cluster';

interface Recorded {
  readonly pids: number[];
  readonly netns: string;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function readRecorded(): Promise<Recorded | undefined> {
  try {
    const parsed = JSON.parse(await readFile(PIDS_FILE, 'utf8')) as Partial<Recorded>;
    const pids = Array.isArray(parsed.pids) ? parsed.pids.filter((p) => Number.isInteger(p)) : [];
    return { pids, netns: typeof parsed.netns === 'string' ? parsed.netns : '' };
  } catch {
    return undefined;
  }
}

async function isRunning(recorded: Recorded): Promise<boolean> {
  if (recorded.pids.length === 0) return false;
  if (!recorded.pids.every((pid) => isAlive(pid) && isControlPlaneProcess(pid))) return false;
  const readyz = await runKubectl(KUBECONFIG, ['get', '--raw', '/readyz']).catch(() => '');
  return readyz.trim() === 'ok';
}

function printAccess(): void {
  say(`kubeconfig: ${KUBECONFIG}`);
  say(`export KUBECONFIG=${KUBECONFIG}`);
}

async function record(plane: ControlPlane, network: BackendNetwork): Promise<void> {
  const recorded: Recorded = { pids: plane.pids, netns: network.name };
  await writeFile(PIDS_FILE, `${JSON.stringify(recorded, null, 2)}\n`);
  const state: E2eState = {
    ...recorded,
    kubeconfig: plane.kubeconfig,
    server: plane.server,
    hostIp: network.hostIp,
    addresses: network.addresses,
    dir: DIR,
  };
  await writeE2eState(STATE_FILE, state);
}

async function start(): Promise<void> {
  const network = await createBackendNetwork(NETWORK_ID);
  let plane: ControlPlane | undefined;
  try {
    plane = await startControlPlane({ dir: DIR, detached: true, log: say });
    await record(plane, network);
  } catch (err: unknown) {
    await plane?.stop();
    await network.destroy();
    throw err;
  }
  say(`backend network ${network.name}: host ${network.hostIp}, addresses ${network.addresses.join(' ')}`);
  say(`control plane up at ${plane.server} (pids ${plane.pids.join(', ')}; logs in ${DIR})`);
}

async function up(): Promise<void> {
  const recorded = await readRecorded();
  if (recorded !== undefined && (await isRunning(recorded))) {
    say(`control plane already running (pids ${recorded.pids.join(', ')})`);
    printAccess();
    return;
  }
  // Whatever a previous, broken `up` left behind goes before a clean start.
  if (recorded !== undefined) await stopRecorded(recorded);
  await destroyBackendNetwork(`bollard-${NETWORK_ID}`);
  await rm(DIR, { recursive: true, force: true });
  // Ctrl-C while starting: exit through the 'exit' hook, which kills what has started so far.
  process.once('SIGINT', () => process.exit(130));
  await start();
  printAccess();
}

async function down(): Promise<void> {
  const recorded = await readRecorded();
  if (recorded === undefined) {
    say('no control plane recorded in .run/cluster');
    return;
  }
  await stopRecorded(recorded);
  await Promise.all([PIDS_FILE, STATE_FILE].map((f) => rm(f, { force: true })));
  await rm(join(DIR, ETCD_DATA_DIR), { recursive: true, force: true });
  say(`stopped pids ${recorded.pids.join(', ')}${recorded.netns === '' ? '' : ` and removed ${recorded.netns}`}`);
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else if (command === 'node-up') process.exitCode = await nodeUp(say);
else if (command === 'node-down') process.exitCode = await nodeDown(say);
else {
  process.stderr.write('usage: node scripts/cluster.ts up|down|node-up|node-down\n');
  process.exitCode = 2;
}
