// kube-apiserver on a free loopback port (or the one-node cluster's bridge address), backed by our
// etcd, with RBAC, service-account token signing and the Node authorizer; no controller-manager, no
// scheduler of its own. Ready when /readyz says so.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pki } from './certs.ts';
import { freePort } from './free-port.ts';
import { httpsGet } from './https-get.ts';
import type { ClientTls } from './https-get.ts';
import { spawnManaged } from './processes.ts';
import type { Managed } from './processes.ts';
import { waitUntilReady } from './readiness.ts';

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

export interface KubeApiserver {
  readonly server: string;
  readonly process: Managed;
}

export interface KubeApiserverOptions {
  readonly binary: string;
  readonly dir: string;
  readonly etcdUrl: string;
  readonly pki: Pki;
  readonly detached?: boolean;
  readonly timeoutMs?: number;
  /** Bind and advertise address; 127.0.0.1 unless a cluster with a node needs a routable one. */
  readonly address?: string;
  readonly serviceClusterIpRange?: string;
  /** Appended after the defaults (the one-node cluster's kubelet client, aggregation, admission). */
  readonly extraArgs?: readonly string[];
}

export function kubeApiserverArgs(opts: KubeApiserverOptions, port: number): string[] {
  const { pki } = opts;
  const address = opts.address ?? '127.0.0.1';
  return [
    `--etcd-servers=${opts.etcdUrl}`,
    `--bind-address=${address}`,
    `--secure-port=${port}`,
    `--advertise-address=${address}`,
    // On loopback, the lease reconciler would publish 127.0.0.1 as the `kubernetes` Service's
    // endpoint, which endpoint validation rejects; without a node nothing needs that Service to
    // have endpoints. A routable address gets the default reconciler, so Pods reach the API server.
    ...(address === '127.0.0.1' ? ['--endpoint-reconciler-type=none'] : []),
    `--cert-dir=${join(opts.dir, 'apiserver-cert-dir')}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=Node,RBAC',
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-cluster-ip-range=${opts.serviceClusterIpRange ?? SERVICE_CLUSTER_IP_RANGE}`,
    '--profiling=false',
    ...(opts.extraArgs ?? []),
  ];
}

export async function adminTls(pki: Pki): Promise<ClientTls> {
  const [ca, cert, key] = await Promise.all([pki.caCert, pki.adminCert, pki.adminKey].map((f) => readFile(f, 'utf8')));
  return { ca: ca ?? '', cert: cert ?? '', key: key ?? '' };
}

/** True when GET /readyz answers 200 with the admin certificate; undefined (not yet) otherwise. */
export async function isReady(server: string, tls: ClientTls): Promise<true | undefined> {
  const res = await httpsGet(`${server}/readyz`, tls);
  if (res.status === 200) return true;
  throw new Error(`/readyz answered ${res.status}: ${res.body.split('\n').filter((l) => l.includes('[-]')).join(', ')}`);
}

export async function startKubeApiserver(opts: KubeApiserverOptions): Promise<KubeApiserver> {
  const address = opts.address ?? '127.0.0.1';
  const port = await freePort(address);
  const server = `https://${address}:${port}`;
  await mkdir(join(opts.dir, 'apiserver-cert-dir'), { recursive: true });
  const logFile = join(opts.dir, 'kube-apiserver.log');
  const tls = await adminTls(opts.pki);
  const proc = spawnManaged(opts.binary, kubeApiserverArgs(opts, port), { logFile, detached: opts.detached });
  await waitUntilReady(proc, () => isReady(server, tls), {
    what: `kube-apiserver at ${server}`,
    timeoutMs: opts.timeoutMs ?? 120_000,
    intervalMs: 200,
    logFile,
  });
  return { server, process: proc };
}
