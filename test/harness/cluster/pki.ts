// The one-node cluster's PKI: the control plane's (certs.ts: CA, API server serving certificate,
// admin, service-account keys) with the bridge and Service addresses added to the serving
// certificate, plus one client certificate per component — the identities the API server's
// bootstrap RBAC and Node authorizer expect — and the kubelet's serving certificate.
import { join } from 'node:path';
import { LEAF_EXTENSIONS, generatePki, newLeaf } from '../certs.ts';
import type { Pki } from '../certs.ts';
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_IP, NODE_NAME } from './layout.ts';

/** A client or serving certificate and its key, as paths. */
export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface ClusterPki extends Pki {
  readonly kubelet: CertPair;
  readonly kubeletServing: CertPair;
  readonly apiserverKubeletClient: CertPair;
  readonly controllerManager: CertPair;
  readonly scheduler: CertPair;
  readonly kubeProxy: CertPair;
  /** The aggregation layer's client (metrics-server trusts requests it proxies). */
  readonly frontProxyClient: CertPair;
  /** metrics-server's serving certificate, checked by the API server against its Service name. */
  readonly metricsServerServing: CertPair;
}

const CLIENT = `${LEAF_EXTENSIONS}extendedKeyUsage=clientAuth\n`;

const CLIENTS = {
  kubelet: `/O=system:nodes/CN=system:node:${NODE_NAME}`,
  apiserverKubeletClient: '/O=system:masters/CN=kube-apiserver-kubelet-client',
  controllerManager: '/CN=system:kube-controller-manager',
  scheduler: '/CN=system:kube-scheduler',
  kubeProxy: '/CN=system:kube-proxy',
  frontProxyClient: '/CN=front-proxy-client',
} as const;

type ClientName = keyof typeof CLIENTS;

export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';
/** The name the API server's aggregator verifies metrics-server's certificate against. */
export const METRICS_SERVER_DNS = 'metrics-server.kube-system.svc';

export async function generateClusterPki(dir: string): Promise<ClusterPki> {
  const base = await generatePki(dir, {
    extraServingSans: [`IP:${NODE_IP}`, `IP:${KUBERNETES_SERVICE_IP}`, `DNS:kubernetes.default.svc.${CLUSTER_DOMAIN}`],
  });
  const names = Object.keys(CLIENTS) as ClientName[];
  await Promise.all([
    ...names.map((name) => newLeaf(dir, { name, subject: CLIENTS[name], extensions: CLIENT })),
    newLeaf(dir, {
      name: 'kubelet-serving',
      subject: `/CN=${NODE_NAME}`,
      extensions: `${LEAF_EXTENSIONS}extendedKeyUsage=serverAuth\nsubjectAltName=IP:${NODE_IP},DNS:${NODE_NAME}\n`,
    }),
    newLeaf(dir, {
      name: 'metrics-server-serving',
      subject: '/CN=metrics-server',
      extensions: `${LEAF_EXTENSIONS}extendedKeyUsage=serverAuth\nsubjectAltName=IP:${NODE_IP},DNS:${METRICS_SERVER_DNS}\n`,
    }),
  ]);
  const pair = (name: string): CertPair => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  return {
    ...base,
    kubelet: pair('kubelet'),
    kubeletServing: pair('kubelet-serving'),
    apiserverKubeletClient: pair('apiserverKubeletClient'),
    controllerManager: pair('controllerManager'),
    scheduler: pair('scheduler'),
    kubeProxy: pair('kubeProxy'),
    frontProxyClient: pair('frontProxyClient'),
    metricsServerServing: pair('metrics-server-serving'),
  };
}
