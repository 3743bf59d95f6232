// Issue 4's headline: three full Bollard controller processes with ACME on one etcd, and Pebble
// whose HTTP-01 validations reach them through a TCP round robin the test controls, non-leaders
// first. A certificate is issued although the validations land on non-leaders (the front records
// who answered; the leader is known from /metrics and etcd's election), exactly one order per
// name while three replicas race, and after all three restart nothing is re-ordered and every
// replica serves the certificates over HTTPS (SNI) at once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:tls';
import { parseMeta } from '../../../src/acme/certificate.ts';
import type { EtcdStorage } from '../../../src/acme/etcd-storage.ts';
import { certificateKeys } from '../../../src/acme/keys.ts';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { dumpingOnFailure, kubectl } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { ingressClass } from '../../support/manifests.ts';
import { getSecret, startAcmeWorld, tlsIngress, type AcmeWorld } from './acme-e2e.ts';
import { startRoundRobinFront, type RoundRobinFront } from './round-robin-front.ts';

let w: AcmeWorld<RoundRobinFront>;
let ns = '';
let reader: EtcdStorage;
let leaderOfEtcd: () => Promise<string | undefined>;
let replicas: { pod: string; proc: BollardProcess }[] = [];
const NAMES = ['a', 'b', 'c'].map((h) => `${h}.e2e-replicas.bollard.test`);
const PODS = ['replica-0', 'replica-1', 'replica-2'];

const start = (pod: string): Promise<BollardProcess> => startBollard({
  kubeconfig: w.kubeconfig,
  args: [
    '--watch-namespaces', ns, '--election-namespace', ns, '--election-id', 'bollard-acme-replicas', '--pod-name', pod,
    '--acme-enabled', 'true', '--etcd-endpoints', w.fx.url, '--etcd-prefix', `/bollard-e2e/${ns}/`, '--acme-directory', w.pebble.directoryUrl,
    '--acme-ca-file', w.caFile, '--acme-email', 'ops@bollard.test', '--acme-lease-ttl-seconds', '3',
  ],
});
const startAll = async (): Promise<void> => { replicas = await Promise.all(PODS.map(async (pod) => ({ pod, proc: await start(pod) }))); };
const stopAll = async (): Promise<void> => { await Promise.all(replicas.splice(0).map((r) => r.proc.stop())); };

const metric = async (r: BollardProcess, name: string): Promise<number | undefined> => {
  const text = await (await fetch(`${r.adminUrl}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

/** The pod that /metrics shows as ACME leader, once exactly one does and etcd agrees. */
const waitLeader = (): Promise<string> => waitFor(async () => {
  const leading = (await Promise.all(replicas.map(async (r) => ((await metric(r.proc, 'bollard_acme_leader')) === 1 ? r.pod : undefined)))).filter((p) => p !== undefined);
  const inEtcd = await leaderOfEtcd();
  return leading.length === 1 && inEtcd?.startsWith(`${leading[0]}/`) ? leading[0] : undefined;
}, { what: 'one ACME leader in /metrics and etcd', timeoutMs: 20_000 });

/** Serial of the certificate a replica's HTTPS listener presents for `servername`. */
function servedSerial(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()?.serialNumber ?? '');
      s.end();
    });
    s.on('error', reject);
  });
}

const storedSerial = async (name: string): Promise<string | undefined> => {
  try {
    return parseMeta(await reader.load(certificateKeys(name).meta))?.serial;
  } catch {
    return undefined;
  }
};

beforeAll(async () => {
  w = await startAcmeWorld({ namespace: 'acme-replicas', tmpPrefix: 'bollard-e2e-replicas-', front: startRoundRobinFront, watch: false });
  ns = w.namespace;
  const opened = await w.fx.open('test-reader', { prefix: `/bollard-e2e/${ns}/` });
  reader = opened.storage;
  leaderOfEtcd = async () => (await opened.connection.client.namespace(`/bollard-e2e/${ns}/`).election('issuer').leader().catch(() => undefined)) ?? undefined;
  await kubectl(['apply', '-f', '-'], JSON.stringify(ingressClass('bollard', 'bollard.io/ingress-controller')));
}, 60_000);

afterAll(async () => {
  await stopAll();
  await w.stop();
}, 60_000);

describe('three Bollard replicas with ACME', () => {
  it('issue through validations that land on non-leaders, one order per name', dumpingOnFailure(() => ns, async () => {
    await startAll();
    const leader = await waitLeader();
    const ordered = [...replicas.filter((r) => r.pod !== leader), ...replicas.filter((r) => r.pod === leader)];
    w.front.setTargets(ordered.map((r) => ({ id: r.pod, port: r.proc.httpPort })));
    const before = await w.pebble.orders();
    const tls = NAMES.map((n) => ({ hosts: [n], secretName: `${n.split('.')[0] ?? ''}-tls` }));
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(tlsIngress(ns, 'web', tls, {}, 'bollard')));
    const serials = await waitFor(async () => {
      const all = await Promise.all(NAMES.map(storedSerial));
      return all.every((s) => s !== undefined) ? all : undefined;
    }, { what: 'certificates for every name in etcd', timeoutMs: 30_000 });
    // Every replica serves every certificate over HTTPS.
    for (const r of replicas) {
      for (const [i, name] of NAMES.entries()) {
        await waitFor(async () => ((await servedSerial(r.proc.httpsPort, name)) === serials[i] ? true : undefined), { what: `${r.pod} serving ${name}`, timeoutMs: 10_000 });
      }
    }
    expect(await w.pebble.orders()).toBe(before + NAMES.length);
    const validations = w.front.served.filter((s) => s.path.startsWith('/.well-known/acme-challenge/'));
    const byFollowers = validations.filter((v) => v.id !== leader && v.status === 200);
    expect(byFollowers.length).toBeGreaterThan(0);
    // The names whose only validation a non-leader answered were issued all the same.
    for (const v of byFollowers) expect(NAMES).toContain(v.host.replace(/:\d+$/, ''));
    const started = await Promise.all(replicas.map(async (r) => [r.pod, (await metric(r.proc, 'bollard_acme_orders_started_total')) ?? 0] as const));
    expect(started.filter(([pod]) => pod !== leader).every(([, n]) => n === 0)).toBe(true);
    expect(started.find(([pod]) => pod === leader)?.[1]).toBe(NAMES.length);
    // The leader mirrored each certificate into the Ingress's TLS Secret.
    for (const [i, name] of NAMES.entries()) {
      const secret = await waitFor(() => getSecret(ns, tls[i]?.secretName ?? ''), { what: `Secret of ${name}`, timeoutMs: 10_000 });
      expect(secret.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('bollard');
      expect(secret.metadata.annotations?.['bollard.io/acme-serial']).toBe(serials[i]);
    }
  }), 55_000);

  it('after all replicas restart: served over HTTPS at once, nothing re-ordered', dumpingOnFailure(() => ns, async () => {
    const serials = await Promise.all(NAMES.map(storedSerial));
    await stopAll();
    const before = await w.pebble.orders();
    await startAll();
    for (const r of replicas) for (const [i, name] of NAMES.entries()) expect(await servedSerial(r.proc.httpsPort, name)).toBe(serials[i]);
    const leader = await waitLeader();
    const lead = replicas.find((r) => r.pod === leader)?.proc;
    await waitFor(() => Promise.resolve(lead?.logs.some((l) => l.msg === 'ACME issuer ready') === true ? true : undefined), { what: 'issuer ready on the leader', timeoutMs: 15_000 });
    // The leader has checked every name and found each valid in etcd.
    await waitFor(() => Promise.resolve(NAMES.every((name) => lead?.logs.some((l) => l.msg === 'certificate valid in storage' && l.name === name)) ? true : undefined),
      { what: 'the leader to find every certificate valid', timeoutMs: 15_000 });
    expect(await w.pebble.orders()).toBe(before);
    for (const r of replicas) expect(await metric(r.proc, 'bollard_acme_orders_started_total')).toBe(0);
  }), 50_000);
});
