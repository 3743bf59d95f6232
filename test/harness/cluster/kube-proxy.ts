// kube-proxy in iptables mode (the nft backend of Debian's iptables): Services for Pods and the
// host, NodePorts on the node address only, conntrack settings left as the machine has them
// (these machines may not allow changing them). `cleanupKubeProxy` removes every chain it made.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port.ts';
import { spawnManaged } from '../processes.ts';
import type { Managed } from '../processes.ts';
import { waitUntilReady } from '../readiness.ts';
import { httpHealthz } from './healthz.ts';
import { NODE_IP, NODE_NAME, POD_CIDR } from './layout.ts';

const run = promisify(execFile);

export function kubeProxyConfig(kubeconfig: string, healthzPort: number, metricsPort: number): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: NODE_NAME,
    healthzBindAddress: `127.0.0.1:${healthzPort}`,
    metricsBindAddress: `127.0.0.1:${metricsPort}`,
    clusterCIDR: POD_CIDR,
    nodePortAddresses: [`${NODE_IP}/32`],
    iptables: { localhostNodePorts: false },
    // Zero means "leave the kernel's value": no conntrack table resizing, no timeout changes.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  };
}

export interface KubeProxyOptions {
  readonly binary: string;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly detached: boolean;
}

export async function startKubeProxy(opts: KubeProxyOptions): Promise<Managed> {
  const [healthzPort, metricsPort] = await Promise.all([freePort(), freePort()]);
  const config = join(opts.dir, 'kube-proxy-config.json');
  await writeFile(config, `${JSON.stringify(kubeProxyConfig(opts.kubeconfig, healthzPort, metricsPort), null, 2)}\n`);
  const logFile = join(opts.dir, 'kube-proxy.log');
  const proc = spawnManaged(opts.binary, [`--config=${config}`], { logFile, detached: opts.detached });
  // Healthy once it has synced its rules at least once.
  await waitUntilReady(proc, () => httpHealthz(healthzPort), { what: 'kube-proxy', timeoutMs: 60_000, intervalMs: 100, logFile });
  return proc;
}

/** `kube-proxy --cleanup`: deletes its iptables (and IPVS, nftables) rules and chains. */
export async function cleanupKubeProxy(binary: string): Promise<void> {
  await run(binary, ['--cleanup'], { timeout: 60_000 });
}
