// ACME in the cluster: three Bollard Pods with the chart's bundled 3-member etcd StatefulSet (an
// etcd image built here, hostPath volumes) and Pebble on the node's address, which the Pods reach
// and whose HTTP-01 validations come back through the NodePort to whichever Pod kube-proxy picks.
// A certificate is issued and served by every Pod; then the leader is killed mid-order (a grace
// period of 1 s: no resignation, its etcd lease has to expire) and another Pod completes the order.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../../harness/cluster/env.ts';
import { theCluster } from '../../harness/cluster/env.ts';
import { startPebble } from '../../harness/pebble.ts';
import type { Pebble } from '../../harness/pebble.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { ingress } from '../../support/manifests.ts';
import { caValues, createCaConfigMap, createEtcdVolumes, deleteEtcdVolumes, isAcmeLeader, logLines, servedCertificate, STORAGE_CLASS } from '../support/acme.ts';
import { createNamespace, deleteNamespace, deployEcho } from '../support/backends.ts';
import { HTTP_NODE_PORT, INGRESS_CLASS, NAMESPACE, RELEASE, bollardPods, installBollard, uninstallBollard, waitForPods } from '../support/bollard.ts';
import type { PodInfo } from '../support/bollard.ts';
import { ETCD_IMAGE } from '../support/images.ts';
import { printSummary, summaryLine } from '../support/summary.ts';

const MEMBERS = 3;
const ETCD_SELECTOR = `app.kubernetes.io/name=bollard,app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=etcd`;

let cluster: Cluster;
let pebble: Pebble | undefined;
let ns = '';
let installSeconds = 0;

beforeAll(async () => {
  cluster = await theCluster();
  const dir = join(cluster.dir, 'pebble-as-pods');
  await mkdir(dir, { recursive: true });
  // Validations sleep up to 10 s first (Pebble's own knob), so an order is still open when the
  // leader is killed.
  pebble = await startPebble({ dir, address: cluster.nodeIp, validationPort: HTTP_NODE_PORT, validationSleepSeconds: 10 });
  await createEtcdVolumes(cluster, MEMBERS);
  await createCaConfigMap(cluster, NAMESPACE, pebble.caPem);
  const t0 = Date.now();
  await installBollard(cluster, {
    'controller.replicas': 3,
    'acme.enabled': true, 'acme.email': 'ops@bollard.test', 'acme.directory': 'custom', 'acme.customDirectoryUrl': pebble.directoryUrl,
    'etcd.bundled.replicas': MEMBERS,
    'etcd.bundled.image.repository': ETCD_IMAGE.repository, 'etcd.bundled.image.tag': ETCD_IMAGE.tag, 'etcd.bundled.image.pullPolicy': 'Never',
    'etcd.bundled.persistence.storageClassName': STORAGE_CLASS,
    ...caValues,
  }, 300);
  installSeconds = (Date.now() - t0) / 1000;
  ns = await createNamespace(cluster, 'acme');
  await deployEcho(cluster, ns, 'echo', `echo.${ns}.bollard.test`);
}, 420_000);

afterAll(async () => {
  await uninstallBollard(cluster);
  await deleteEtcdVolumes(cluster, NAMESPACE, ETCD_SELECTOR, MEMBERS);
  await cluster.kubectl(['delete', 'configmap', '-n', NAMESPACE, 'bollard-acme-ca', '--ignore-not-found']);
  if (ns !== '') await deleteNamespace(cluster, ns);
  await pebble?.stop();
}, 120_000);

const liveControllers = async (): Promise<PodInfo[]> => (await bollardPods(cluster)).filter((p) => p.ready && !p.terminating);

async function leader(): Promise<PodInfo> {
  return waitFor(async () => {
    const pods = await liveControllers();
    const leading = (await Promise.all(pods.map(async (p) => ((await isAcmeLeader(p.ip).catch(() => false)) ? p : undefined)))).filter((p) => p !== undefined);
    return leading.length === 1 ? leading[0] : undefined;
  }, { what: 'exactly one ACME leader among the Bollard Pods', timeoutMs: 90_000, intervalMs: 500 });
}

async function requestCertificate(name: string): Promise<void> {
  const ing = ingress(ns, name.split('.')[0] ?? name, { className: INGRESS_CLASS, host: name, paths: [{ path: '/', pathType: 'Prefix', service: 'echo', port: 80 }] });
  const withTls = { ...ing, spec: { ...ing.spec, tls: [{ hosts: [name], secretName: `${name.split('.')[0] ?? name}-tls` }] } };
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(withTls));
}

/** Waits until every live Bollard Pod serves a Pebble certificate for `name`; returns how many Pods. */
async function servedByEvery(name: string, timeoutMs: number): Promise<number> {
  return waitFor(async () => {
    const pods = await liveControllers();
    const served = await Promise.all(pods.map((p) => servedCertificate(p.ip, name).catch(() => undefined)));
    return pods.length === 3 && served.every((s) => s?.issuer.startsWith('Pebble') === true && s.names.includes(`DNS:${name}`)) ? pods.length : undefined;
  }, { what: `a Pebble certificate for ${name} on every Bollard Pod`, timeoutMs, intervalMs: 1_000 });
}

describe('as pods: ACME with the bundled etcd', () => {
  it('issues a certificate that every Pod serves', async () => {
    const etcd = await waitForPods(cluster, NAMESPACE, ETCD_SELECTOR, MEMBERS);
    expect(etcd).toHaveLength(MEMBERS);
    const name = `first.${ns}.bollard.test`;
    const t0 = Date.now();
    await requestCertificate(name);
    const pods = await servedByEvery(name, 120_000);
    await printSummary(summaryLine('ACME issue', undefined, [
      `3 Bollard Pods and ${MEMBERS} etcd members up in ${installSeconds.toFixed(0)}s`,
      `certificate for ${name} served by all ${pods} Pods ${((Date.now() - t0) / 1000).toFixed(1)}s after the Ingress`,
    ]));
  }, 240_000);

  it('completes an order on another Pod when the leader dies mid-order', async () => {
    // The order may, rarely, complete before the kill lands (Pebble's sleep is random): then try
    // again with another name.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const victim = await leader();
      const name = `failover${attempt}.${ns}.bollard.test`;
      const ordersBefore = await pebble?.orders() ?? 0;
      await requestCertificate(name);
      await waitFor(async () => ((await pebble?.orders() ?? 0) > ordersBefore ? true : undefined), { what: `Pebble's order for ${name}`, timeoutMs: 60_000, intervalMs: 100 });
      const t0 = Date.now();
      await cluster.kubectl(['delete', 'pod', '-n', NAMESPACE, victim.name, '--grace-period=1', '--wait=false']);
      const next = await leader();
      const takeover = (Date.now() - t0) / 1000;
      await servedByEvery(name, 180_000);
      const issuedBy = (await Promise.all((await liveControllers()).map(async (p) =>
        ((await logLines(cluster, NAMESPACE, p.name, ['certificate issued'], name)).length > 0 ? p.name : undefined)))).filter((p) => p !== undefined);
      const orders = (await pebble?.orders() ?? 0) - ordersBefore;
      if (issuedBy.length === 0) continue; // the victim finished it before it died
      await printSummary(summaryLine('ACME leader killed mid-order', undefined, [
        `leader ${victim.name} killed after Pebble's order, ${next.name} leads ${takeover.toFixed(1)}s later`,
        `${issuedBy.join(', ')} completed it (${orders} order${orders === 1 ? '' : 's'} at Pebble)`, `served by all 3 Pods; attempt ${attempt}`,
      ]));
      expect(issuedBy).not.toContain(victim.name);
      expect(next.name).not.toBe(victim.name);
      return;
    }
    throw new Error('three orders completed before their leader was killed');
  }, 600_000);
});

