// The backend network: EndpointSlice validation rejects loopback addresses, so test backends live
// in a network namespace `bollard-<id>` joined to the host by a veth pair on a private /24 — host
// side .1, namespace side .2, .3, .4 (one address per "pod"). Deleting the namespace removes the
// veth pair with it; destroy() also deletes the host side at once, since the kernel does that part
// asynchronously.
import { createHash } from 'node:crypto';
import { startBackendInNetns } from './backend.ts';
import type { Backend } from './backend.ts';
import { ip, ipQuiet } from './ip.ts';
import { isAlive, killPid } from './processes.ts';
import { pickSubnet } from './subnet.ts';

export type { Backend } from './backend.ts';

export interface BackendNetwork {
  readonly name: string;
  readonly hostIp: string;
  readonly addresses: string[];
  startBackend(name: string, opts?: { address?: string }): Promise<Backend>;
  destroy(): Promise<void>;
}

const NETNS_PREFIX = 'bollard-';
const POD_HOSTS = [2, 3, 4];

/** veth names derived from the namespace name (15 characters at most), so clean-up needs only the name. */
export function vethNames(netns: string): { host: string; inside: string } {
  const hash = createHash('sha256').update(netns).digest('hex').slice(0, 8);
  return { host: `bv${hash}h`, inside: `bv${hash}n` };
}

async function configure(name: string, prefix: string): Promise<void> {
  const veth = vethNames(name);
  await ip(['link', 'add', veth.host, 'type', 'veth', 'peer', 'name', veth.inside, 'netns', name]);
  await ip(['addr', 'add', `${prefix}.1/24`, 'dev', veth.host]);
  await ip(['link', 'set', veth.host, 'up']);
  for (const host of POD_HOSTS) await ip(['-n', name, 'addr', 'add', `${prefix}.${host}/24`, 'dev', veth.inside]);
  await ip(['-n', name, 'link', 'set', veth.inside, 'up']);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  await ip(['-n', name, 'route', 'add', 'default', 'via', `${prefix}.1`]);
}

/** Kills whatever still runs inside the namespace, then deletes it and its veth pair. */
export async function destroyBackendNetwork(name: string): Promise<void> {
  const pids = await ip(['netns', 'pids', name]).catch(() => '');
  await Promise.all(pids.split(/\s+/).filter((p) => p !== '').map((p) => killPid(Number(p), 2000)));
  await ipQuiet(['link', 'del', vethNames(name).host]);
  await ipQuiet(['netns', 'del', name]);
}

export async function listBackendNetworks(): Promise<string[]> {
  const out = await ip(['netns', 'list']).catch(() => '');
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(NETNS_PREFIX));
}

/** Deletes `bollard-e2e-<pid>` namespaces whose test run died without its teardown. */
export async function pruneStaleBackendNetworks(): Promise<string[]> {
  const stale = (await listBackendNetworks()).filter((name) => {
    const pid = /^bollard-e2e-(\d+)$/.exec(name)?.[1];
    return pid !== undefined && !isAlive(Number(pid));
  });
  for (const name of stale) await destroyBackendNetwork(name);
  return stale;
}

export async function createBackendNetwork(id: string): Promise<BackendNetwork> {
  const name = `${NETNS_PREFIX}${id}`;
  const prefix = await pickSubnet(createHash('sha256').update(name).digest().readUInt8(0));
  await ip(['netns', 'add', name]); // fails, touching nothing, when the name is taken
  try {
    await configure(name, prefix);
  } catch (err: unknown) {
    await destroyBackendNetwork(name);
    throw err;
  }
  const addresses = POD_HOSTS.map((host) => `${prefix}.${host}`);
  const backends = new Set<Backend>();
  return {
    name,
    hostIp: `${prefix}.1`,
    addresses,
    async startBackend(backendName, opts) {
      const backend = await startBackendInNetns(name, backendName, opts?.address ?? addresses[0] ?? '');
      backends.add(backend);
      return backend;
    },
    async destroy() {
      await Promise.all([...backends].map((b) => b.stop()));
      backends.clear();
      await destroyBackendNetwork(name);
    },
  };
}
