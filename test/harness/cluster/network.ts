// The node's network: a Linux bridge holding the node address (dummy interfaces cannot be created
// on these machines), and a CNI configuration putting each Pod on it — bridge plugin with hairpin
// (a Pod reaching itself through its Service), host-local addresses from POD_CIDR with the state
// kept in our folder, portmap for hostPort. No masquerading: nothing outside the node is reached.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ip, ipQuiet } from '../ip.ts';
import { BRIDGE, CNI_NETWORK, NODE_IP, POD_CIDR, POD_RANGE_START } from './layout.ts';
import type { ClusterPaths } from './layout.ts';

export class BridgeInUseError extends Error {
  readonly code = 'BRIDGE_IN_USE';
}

export async function bridgeExists(): Promise<boolean> {
  return ip(['link', 'show', BRIDGE]).then(
    () => true,
    () => false,
  );
}

export async function createBridge(): Promise<void> {
  if (await bridgeExists()) throw new BridgeInUseError(`${BRIDGE} exists already`);
  await ip(['link', 'add', BRIDGE, 'type', 'bridge']);
  await ip(['addr', 'add', `${NODE_IP}/${POD_CIDR.split('/')[1] ?? '24'}`, 'dev', BRIDGE]);
  await ip(['link', 'set', BRIDGE, 'up']);
}

/** Deletes the bridge and any Pod-side veth still enslaved to it. Safe when it is gone. */
export async function destroyBridge(): Promise<void> {
  const ports = await ip(['-o', 'link', 'show', 'master', BRIDGE]).catch(() => '');
  const names = [...ports.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1] ?? '').filter((n) => n !== '');
  for (const name of names) await ipQuiet(['link', 'del', name]);
  await ipQuiet(['link', 'del', BRIDGE]);
}

export function cniConfig(paths: ClusterPaths): object {
  return {
    cniVersion: '1.0.0',
    name: CNI_NETWORK,
    plugins: [
      {
        type: 'bridge',
        bridge: BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: POD_CIDR, gateway: NODE_IP, rangeStart: POD_RANGE_START }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: paths.cniState,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

export async function writeCniConfig(paths: ClusterPaths): Promise<void> {
  await mkdir(paths.cniConfDir, { recursive: true });
  await mkdir(paths.cniState, { recursive: true });
  await writeFile(join(paths.cniConfDir, '10-bollard.conflist'), `${JSON.stringify(cniConfig(paths), null, 2)}\n`);
}
