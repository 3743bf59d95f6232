// The kubelet: cgroupfs (no systemd here), swap and cgroup v1 tolerated (these machines have both),
// client-certificate authentication to the API server as system:node:<name>, webhook
// authentication and authorization of its own API, no read-only port, its own root and Pod log
// folders. Image garbage collection and disk eviction are effectively off: images come from
// archives and cannot be pulled again, and the test machine's disk is shared with other work.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { spawnManaged } from '../processes.ts';
import type { Managed } from '../processes.ts';
import { waitUntilReady } from '../readiness.ts';
import { httpHealthz } from './healthz.ts';
import { CLUSTER_DOMAIN, DNS_IP, KUBELET_PORT, NODE_IP, NODE_NAME } from './layout.ts';
import type { ClusterPaths } from './layout.ts';
import type { ClusterPki } from './pki.ts';

export function kubeletConfig(paths: ClusterPaths, pki: ClusterPki, healthzPort: number): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: NODE_IP,
    port: KUBELET_PORT,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort,
    tlsCertFile: pki.kubeletServing.cert,
    tlsPrivateKeyFile: pki.kubeletServing.key,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: pki.caCert } },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    failCgroupV1: false,
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    clusterDNS: [DNS_IP],
    clusterDomain: CLUSTER_DOMAIN,
    podLogsDir: paths.podLogs,
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    serializeImagePulls: false,
    // Status every 2 s instead of 10 s: Ready shows sooner, tests see readiness changes promptly.
    nodeStatusUpdateFrequency: '2s',
    shutdownGracePeriod: '0s',
  };
}

export interface KubeletOptions {
  readonly binary: string;
  readonly paths: ClusterPaths;
  readonly pki: ClusterPki;
  readonly kubeconfig: string;
  readonly detached: boolean;
}

export async function startKubelet(opts: KubeletOptions): Promise<Managed> {
  const { paths } = opts;
  await Promise.all([paths.kubeletRoot, paths.podLogs].map((d) => mkdir(d, { recursive: true })));
  const healthzPort = await freePort();
  const config = join(paths.dir, 'kubelet-config.json');
  await writeFile(config, `${JSON.stringify(kubeletConfig(paths, opts.pki, healthzPort), null, 2)}\n`);
  const args = [
    `--config=${config}`,
    `--kubeconfig=${opts.kubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NODE_IP}`,
  ];
  const logFile = join(paths.dir, 'kubelet.log');
  const proc = spawnManaged(opts.binary, args, { logFile, detached: opts.detached });
  await waitUntilReady(proc, () => httpHealthz(healthzPort), { what: 'kubelet', timeoutMs: 60_000, intervalMs: 100, logFile });
  return proc;
}
