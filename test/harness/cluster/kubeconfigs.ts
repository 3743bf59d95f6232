// One kubeconfig per component, each with its own client certificate (CertPair) and the cluster CA
// embedded, all pointing at the cluster's API server on the node address.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeKubeconfig } from '../kubeconfig.ts';
import type { CertPair, ClusterPki } from './pki.ts';

export interface ClusterKubeconfigs {
  readonly admin: string;
  readonly kubelet: string;
  readonly controllerManager: string;
  readonly scheduler: string;
  readonly kubeProxy: string;
}

async function write(path: string, server: string, caCert: string, pair: CertPair): Promise<string> {
  const [ca, cert, key] = await Promise.all([caCert, pair.cert, pair.key].map((f) => readFile(f, 'utf8')));
  await writeKubeconfig(path, server, { ca: ca ?? '', cert: cert ?? '', key: key ?? '' });
  return path;
}

export async function writeClusterKubeconfigs(dir: string, server: string, pki: ClusterPki): Promise<ClusterKubeconfigs> {
  const one = (name: string, pair: CertPair): Promise<string> => write(join(dir, `${name}.kubeconfig`), server, pki.caCert, pair);
  const [admin, kubelet, controllerManager, scheduler, kubeProxy] = await Promise.all([
    one('admin', { cert: pki.adminCert, key: pki.adminKey }),
    one('kubelet', pki.kubelet),
    one('kube-controller-manager', pki.controllerManager),
    one('kube-scheduler', pki.scheduler),
    one('kube-proxy', pki.kubeProxy),
  ]);
  return { admin, kubelet, controllerManager, scheduler, kubeProxy };
}
