// What the ACME scenario needs around the chart: volumes for the bundled etcd's claims (hostPath
// PersistentVolumes of a class of our own: the node has no provisioner), Pebble's TLS CA for the
// controller (a ConfigMap mounted at --acme-ca-file), and ways to look at the replicas — who
// leads, which certificate a Pod serves for a name.
import { chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { Cluster } from '../../harness/cluster/env.ts';
import { list } from '../../support/manifests.ts';

export const STORAGE_CLASS = 'bollard-test-hostpath';
export const CA_CONFIGMAP = 'bollard-acme-ca';
export const CA_DIR = '/etc/bollard/acme-ca';
/** etcd and the controller run as this user (the chart's security contexts). */
const NONROOT = 65532;

const pvName = (i: number): string => `bollard-test-etcd-${i}`;

/** `n` hostPath volumes owned by the etcd user, under the cluster's folder (gone with it). */
export async function createEtcdVolumes(cluster: Cluster, n: number): Promise<void> {
  const volumes = [];
  for (let i = 0; i < n; i++) {
    const path = join(cluster.dir, 'volumes', pvName(i));
    await mkdir(path, { recursive: true });
    await chown(path, NONROOT, NONROOT);
    volumes.push({
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pvName(i) },
      spec: {
        capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STORAGE_CLASS, hostPath: { path, type: 'Directory' },
      },
    });
  }
  await cluster.kubectl(['apply', '-f', '-'], list(...volumes));
}

/** The claims the StatefulSet left (its retention policy keeps them) and the volumes. */
export async function deleteEtcdVolumes(cluster: Cluster, namespace: string, selector: string, n: number): Promise<void> {
  await cluster.kubectl(['delete', 'pvc', '-n', namespace, '-l', selector, '--ignore-not-found', '--wait=false']);
  await cluster.kubectl(['delete', 'pv', '--ignore-not-found', '--wait=false', ...Array.from({ length: n }, (_, i) => pvName(i))]);
}

export async function createCaConfigMap(cluster: Cluster, namespace: string, caPem: string): Promise<void> {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name: CA_CONFIGMAP }, data: { 'ca.crt': caPem } };
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(cm));
}

/** Chart values mounting the CA and pointing --acme-ca-file at it. */
export const caValues = {
  'controller.extraArgs': { 'acme-ca-file': `${CA_DIR}/ca.crt` },
  'controller.extraVolumes': [{ name: 'acme-ca', configMap: { name: CA_CONFIGMAP } }],
  'controller.extraVolumeMounts': [{ name: 'acme-ca', mountPath: CA_DIR, readOnly: true }],
};

/** `bollard_acme_leader` from a Pod's admin port: true when it is the elected ACME issuer. */
export async function isAcmeLeader(podIp: string): Promise<boolean> {
  const text = await (await fetch(`http://${podIp}:10254/metrics`, { signal: AbortSignal.timeout(3_000) })).text();
  return /^bollard_acme_leader 1$/m.test(text);
}

export interface Served {
  readonly issuer: string;
  readonly names: string;
}

/** The certificate a Pod's HTTPS listener presents for `servername`. */
export function servedCertificate(podIp: string, servername: string, port = 8443): Promise<Served> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: podIp, port, servername, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      const cn: string | string[] | undefined = cert.issuer.CN;
      resolve({ issuer: Array.isArray(cn) ? cn.join(' ') : cn ?? '', names: cert.subjectaltname ?? '' });
    });
    socket.setTimeout(3_000, () => { socket.destroy(new Error(`no TLS answer from ${podIp}`)); });
    socket.on('error', reject);
  });
}

/** JSON log lines of a Pod whose `msg` is one of `messages` and whose `name` is `name`. */
export async function logLines(cluster: Cluster, namespace: string, pod: string, messages: readonly string[], name: string): Promise<string[]> {
  const text = await cluster.kubectl(['logs', '-n', namespace, pod, '--tail=-1']).catch(() => '');
  return text.split('\n').filter((line) => {
    try {
      const entry = JSON.parse(line) as { msg?: unknown; name?: unknown };
      return typeof entry.msg === 'string' && messages.includes(entry.msg) && entry.name === name;
    } catch {
      return false;
    }
  });
}
