// The cluster's own kube-apiserver (the API-server-only harness is left as it is): bound to and
// advertised on the node address, so the `kubernetes` Service gets a real endpoint Pods can reach;
// its own Service range; a client certificate for the kubelet's API (logs, exec) with the kubelet's
// serving certificate verified; the aggregation layer's client for metrics-server; NodeRestriction
// on top of the default admission plugins.
import { startKubeApiserver } from '../kube-apiserver.ts';
import type { KubeApiserver } from '../kube-apiserver.ts';
import { NODE_IP, SERVICE_CIDR } from './layout.ts';
import type { ClusterPki } from './pki.ts';
import { FRONT_PROXY_CLIENT_NAME } from './pki.ts';

export function clusterApiserverArgs(pki: ClusterPki): string[] {
  return [
    '--enable-admission-plugins=NodeRestriction',
    '--allow-privileged=true',
    `--kubelet-client-certificate=${pki.apiserverKubeletClient.cert}`,
    `--kubelet-client-key=${pki.apiserverKubeletClient.key}`,
    `--kubelet-certificate-authority=${pki.caCert}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--requestheader-client-ca-file=${pki.caCert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_NAME}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
    `--proxy-client-key-file=${pki.frontProxyClient.key}`,
    // Aggregated APIs (metrics-server) are reached at their Pod addresses, which the host routes.
    '--enable-aggregator-routing=true',
  ];
}

export interface ClusterApiserverOptions {
  readonly binary: string;
  readonly dir: string;
  readonly etcdUrl: string;
  readonly pki: ClusterPki;
  readonly detached: boolean;
}

export function startClusterApiserver(opts: ClusterApiserverOptions): Promise<KubeApiserver> {
  return startKubeApiserver({
    ...opts,
    address: NODE_IP,
    serviceClusterIpRange: SERVICE_CIDR,
    extraArgs: clusterApiserverArgs(opts.pki),
  });
}
