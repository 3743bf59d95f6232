// ACME end to end against the real kube-apiserver: Ingresses are watched into a ClusterState as
// the controller does; two replicas run startAcme() on one etcd and one Pebble; the certificate
// for a spec.tls host without a Secret is issued although Pebble's validations only reach the
// non-leader, both replicas serve it, the Ingress gets an Event, and replicas started again on
// the same etcd order nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { startAcme, type RunningAcme } from '../../../src/acme/start-acme.ts';
import { createEventRecorder } from '../../../src/kube/events.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { dumpingOnFailure, kubectl } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startAcmeWorld, type AcmeWorld } from './acme-e2e.ts';

let w: AcmeWorld;
let ns = '';
const HOST = 'web.e2e-acme.bollard.test';

async function replica(podName: string): Promise<{ acme: RunningAcme; registry: Registry }> {
  const registry = new Registry();
  const acme = await startAcme({
    etcdEndpoints: [w.fx.url], etcdPrefix: '/bollard-e2e/acme/', etcdCaFile: '', etcdCertFile: '', etcdKeyFile: '',
    acmeDirectory: w.pebble.directoryUrl, acmeEmail: 'e2e@bollard.test', acmeCaFile: w.caFile, acmeLeaseTtlSeconds: 3, podName,
  }, { log: silentLogger, registry, snapshot: w.state, events: createEventRecorder(w.client, 'bollard.io/ingress-controller', podName), pollMinMs: 100 });
  const r = { acme, registry };
  w.replicas.push(r);
  acme.update();
  return r;
}

beforeAll(async () => {
  w = await startAcmeWorld({ namespace: 'acme', tmpPrefix: 'bollard-e2e-acme-' });
  ns = w.namespace;
}, 90_000);

afterAll(async () => {
  await w.stop();
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
    w.front.route([{ id: 'follower', handle: follower.acme.handleHttp01 }]);
    const before = await w.pebble.orders();
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(ingress));
    await waitFor(() => Promise.resolve(a.acme.certificates.lookup(HOST) && b.acme.certificates.lookup(HOST) ? true : undefined), { what: `certificate for ${HOST} on both replicas`, timeoutMs: 30_000 });
    expect(await w.pebble.orders()).toBe(before + 1);
    expect(w.front.answered.filter((x) => x.status === 200).map((x) => x.id)).toContain('follower');
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
    await Promise.all(w.replicas.splice(0).map((r) => r.acme.stop()));
    const before = await w.pebble.orders();
    const c = await replica('acme-c');
    expect(c.acme.certificates.lookup(HOST)).toBeDefined();
    await waitFor(() => Promise.resolve(c.acme.isLeader() ? true : undefined), { what: 'acme-c leads', timeoutMs: 10_000 });
    expect(await c.acme.ensure(HOST)).toBe('valid');
    expect(await w.pebble.orders()).toBe(before);
  }), 30_000);
});
