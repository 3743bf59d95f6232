// ACME end to end against the real kube-apiserver: Ingresses are watched into a ClusterState as
// the controller does; two replicas run startAcme() on one etcd and one Pebble; the certificate
// for a spec.tls host without a Secret is issued although Pebble's validations only reach the
// non-leader, both replicas serve it, the Ingress gets an Event, and replicas started again on
// the same etcd order nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startAcme, type RunningAcme } from '../../../src/acme/start-acme.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client.ts';
import { createEventRecorder } from '../../../src/kube/events.ts';
import { watchCluster } from '../../../src/kube/watch-cluster.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv } from '../../harness/e2e-env.ts';
import { startPebble, type Pebble } from '../../harness/pebble.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startEtcdFixture, type EtcdFixture } from '../../feature/acme/etcd-fixture.ts';
import { startValidationFront, type ValidationFront } from '../../feature/acme/validation-front.ts';

let ns = '';
let dir = '';
let client: KubeClient;
let fx: EtcdFixture;
let pebble: Pebble;
let front: ValidationFront;
let caFile = '';
const state = new ClusterState();
const stopWatch = new AbortController();
let watchDone: Promise<void> | undefined;
const replicas: { acme: RunningAcme; registry: Registry }[] = [];
const HOST = 'web.e2e-acme.bollard.test';

async function replica(podName: string): Promise<{ acme: RunningAcme; registry: Registry }> {
  const registry = new Registry();
  const acme = await startAcme({
    etcdEndpoints: [fx.url], etcdPrefix: '/bollard-e2e/acme/', etcdCaFile: '', etcdCertFile: '', etcdKeyFile: '',
    acmeDirectory: pebble.directoryUrl, acmeEmail: 'e2e@bollard.test', acmeCaFile: caFile, acmeLeaseTtlSeconds: 3, podName,
  }, { log: silentLogger, registry, snapshot: state, events: createEventRecorder(client, 'bollard.io/ingress-controller', podName), pollMinMs: 100 });
  const r = { acme, registry };
  replicas.push(r);
  acme.update();
  return r;
}

beforeAll(async () => {
  const env = await loadE2eEnv();
  client = createKubeClient(loadKubeConfig(env.kubeconfig));
  ns = await createTestNamespace('acme');
  dir = await mkdtemp(join(tmpdir(), 'bollard-e2e-acme-'));
  front = await startValidationFront();
  [fx, pebble] = await Promise.all([startEtcdFixture(), startPebble({ dir, validationPort: front.port })]);
  caFile = join(dir, 'pebble-directory-ca.pem');
  await writeFile(caFile, pebble.caPem);
  const watch = watchCluster({ client, state, log: silentLogger, onChange: () => { for (const r of replicas) r.acme.update(); } }, [ns], stopWatch.signal);
  watchDone = watch.done;
  await watch.synced;
}, 90_000);

afterAll(async () => {
  await Promise.all(replicas.splice(0).map((r) => r.acme.stop()));
  stopWatch.abort();
  await watchDone;
  await front.close();
  await pebble.stop();
  await fx.stop();
  await rm(dir, { recursive: true, force: true });
  await deleteTestNamespace(ns);
}, 60_000);

const ingress = {
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
  metadata: { name: 'web' },
  spec: {
    tls: [{ hosts: [HOST], secretName: 'web-tls' }],
    rules: [{ host: HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
  },
};

describe('ACME with the real API server', () => {
  it('issues for a spec.tls host without a Secret, validated by the non-leader, with an Event', dumpingOnFailure(() => ns, async () => {
    const [a, b] = [await replica('acme-a'), await replica('acme-b')];
    const leader = await waitFor(() => Promise.resolve(a.acme.isLeader() ? a : b.acme.isLeader() ? b : undefined), { what: 'an ACME leader', timeoutMs: 10_000 });
    const follower = leader === a ? b : a;
    front.route([{ id: 'follower', handle: follower.acme.handleHttp01 }]);
    const before = await pebble.orders();
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(ingress));
    await waitFor(() => Promise.resolve(a.acme.certificates.lookup(HOST) && b.acme.certificates.lookup(HOST) ? true : undefined), { what: `certificate for ${HOST} on both replicas`, timeoutMs: 30_000 });
    expect(await pebble.orders()).toBe(before + 1);
    expect(front.answered.filter((x) => x.status === 200).map((x) => x.id)).toContain('follower');
    const events = await waitFor(async () => {
      const json = JSON.parse(await kubectl(['get', 'events', '-n', ns, '-o', 'json'])) as { items: { reason: string; involvedObject: { name: string }; message: string }[] };
      const issued = json.items.filter((e) => e.reason === 'AcmeCertificateIssued' && e.involvedObject.name === 'web');
      return issued.length > 0 ? issued : undefined;
    }, { what: 'AcmeCertificateIssued Event on the Ingress', timeoutMs: 10_000 });
    expect(events[0]?.message).toContain(HOST);
    expect(await follower.registry.getSingleMetricAsString('bollard_acme_certificate_expiry_timestamp_seconds')).toContain(`name="${HOST}"`);
    expect(await leader.registry.getSingleMetricAsString('bollard_acme_leader')).toMatch(/bollard_acme_leader 1$/m);
  }), 60_000);

  it('replicas restarted on the same etcd serve at once and order nothing', dumpingOnFailure(() => ns, async () => {
    await Promise.all(replicas.splice(0).map((r) => r.acme.stop()));
    const before = await pebble.orders();
    const c = await replica('acme-c');
    expect(c.acme.certificates.lookup(HOST)).toBeDefined();
    await waitFor(() => Promise.resolve(c.acme.isLeader() ? true : undefined), { what: 'acme-c leads', timeoutMs: 10_000 });
    expect(await c.acme.ensure(HOST)).toBe('valid');
    expect(await pebble.orders()).toBe(before);
  }), 30_000);
});
