// Two replicas, one Lease: only the elected replica writes status; when it dies (SIGKILL, no
// release), the other takes over after the Lease expires and keeps status current.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { signal } from '../../harness/processes.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { endpointSlice, ingress, ingressClass, list, service } from '../../support/manifests.ts';

let ns = '';
let web: Backend;
const replicas: BollardProcess[] = [];

const leaderGauge = async (b: BollardProcess): Promise<number> =>
  Number(/^bollard_leader (\d+)/m.exec(await (await fetch(`${b.adminUrl}/metrics`)).text())?.[1] ?? 'NaN');

const holder = async (): Promise<string> =>
  (await kubectl(['get', 'lease', 'bollard', '-n', ns, '-o', 'jsonpath={.spec.holderIdentity}'])).trim();

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('leader');
  web = await startBackend('web');
  await kubectl(['apply', '-f', '-'], list(
    ingressClass('bollard', 'bollard.io/ingress-controller'),
    service(ns, 'web', [{ port: 80 }]),
    endpointSlice(ns, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]),
  ));
  for (const id of ['replica-a', 'replica-b']) {
    replicas.push(await startBollard({
      kubeconfig: env.kubeconfig,
      args: ['--watch-namespaces', ns, '--election-namespace', ns, '--election-id', 'bollard', '--election-lease-seconds', '3',
        '--pod-name', id, '--publish-status-address', '192.0.2.20', '--workers', '1'],
    }));
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await web.stop();
  await deleteTestNamespace(ns);
});

describe('status leader election', () => {
  it('elects exactly one replica, and the other takes over when the leader dies', dumpingOnFailure(() => ns, async () => {
    const first = await waitFor(async () => {
      const h = await holder().catch(() => '');
      return h === '' ? undefined : h;
    }, { what: 'a lease holder', timeoutMs: 15_000 });
    const [a, b] = replicas as [BollardProcess, BollardProcess];
    const leader = first === 'replica-a' ? a : b;
    const follower = first === 'replica-a' ? b : a;
    await waitFor(async () => ((await leaderGauge(leader)) === 1 ? true : undefined), { what: 'leader gauge', timeoutMs: 10_000 });
    expect(await leaderGauge(follower)).toBe(0);

    await kubectl(['apply', '-f', '-'], list(ingress(ns, 'one', { className: 'bollard', host: 'one.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] })));
    await kubectl(['wait', '-n', ns, 'ingress/one', '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=192.0.2.20', '--timeout=15s']);
    const writers = replicas.filter((r) => r.logs.some((l) => l.msg === 'ingress status updated'));
    expect(writers).toEqual([leader]);

    expect(signal(leader.pid, 'SIGKILL')).toBe(true);
    const second = await waitFor(async () => {
      const h = await holder();
      return h !== first ? h : undefined;
    }, { what: 'the lease to move', timeoutMs: 20_000 });
    expect(second).not.toBe(first);
    await waitFor(async () => ((await leaderGauge(follower)) === 1 ? true : undefined), { what: 'follower elected', timeoutMs: 10_000 });
    await kubectl(['apply', '-f', '-'], list(ingress(ns, 'two', { className: 'bollard', host: 'two.example.test', paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] })));
    await kubectl(['wait', '-n', ns, 'ingress/two', '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=192.0.2.20', '--timeout=15s']);
    expect(follower.logs.some((l) => l.msg === 'ingress status updated' && l.ingress === `${ns}/two`)).toBe(true);
  }), 90_000);
});
