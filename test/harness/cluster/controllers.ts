// kube-controller-manager and kube-scheduler, one instance each, so no leader election (it would
// only delay the start). The controller-manager signs service-account tokens with the API server's
// key pair, publishes the CA to every namespace, signs CSRs with the cluster CA, and leaves Pod
// address allocation to the CNI configuration (no node IPAM).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { spawnManaged } from '../processes.ts';
import type { Managed } from '../processes.ts';
import { waitUntilReady } from '../readiness.ts';
import { selfSignedHealthz } from './healthz.ts';
import type { ClusterPki } from './pki.ts';

export interface ControllerOptions {
  readonly binary: string;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly detached: boolean;
}

async function startServing(name: string, opts: ControllerOptions, args: readonly string[]): Promise<Managed> {
  const port = await freePort();
  const certDir = join(opts.dir, `${name}-cert`);
  await mkdir(certDir, { recursive: true });
  const common = [
    `--kubeconfig=${opts.kubeconfig}`,
    `--authentication-kubeconfig=${opts.kubeconfig}`,
    `--authorization-kubeconfig=${opts.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    '--leader-elect=false',
  ];
  const logFile = join(opts.dir, `${name}.log`);
  const proc = spawnManaged(opts.binary, [...common, ...args], { logFile, detached: opts.detached });
  await waitUntilReady(proc, () => selfSignedHealthz(port), { what: name, timeoutMs: 60_000, intervalMs: 100, logFile });
  return proc;
}

export function startControllerManager(opts: ControllerOptions, pki: ClusterPki): Promise<Managed> {
  return startServing('kube-controller-manager', opts, [
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--cluster-signing-cert-file=${pki.caCert}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    '--allocate-node-cidrs=false',
    // HPA decisions every 5 s instead of 15 s: scaling tests take seconds, not minutes.
    '--horizontal-pod-autoscaler-sync-period=5s',
  ]);
}

export function startScheduler(opts: ControllerOptions): Promise<Managed> {
  return startServing('kube-scheduler', opts, []);
}
