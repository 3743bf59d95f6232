// Gateway spec.infrastructure against the real kube-apiserver and a real Bollard process
// (--gateway-infrastructure-services): each Gateway gets an ExternalName Service to the published
// Service, with its infrastructure labels and annotations, and Bollard deletes it when the Gateway
// goes (this control plane has no garbage collector, so only Bollard's own delete is at work); a
// Gateway naming a parametersRef is not accepted (InvalidParameters) and gets no Service.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { list, service } from '../../support/manifests.ts';

const GROUP = 'gateway.networking.k8s.io/v1';
let ns = '';
let bollard: BollardProcess;
const spec = (name: string, body: () => Promise<void>) => { it(name, dumpingOnFailure(() => ns, body), 30_000); };
const apply = async (...objects: object[]): Promise<void> => { await kubectl(['apply', '-f', '-'], list(...objects)); };
const gateway = (name: string, infrastructure: object) => ({
  apiVersion: GROUP, kind: 'Gateway', metadata: { namespace: ns, name },
  spec: { gatewayClassName: ns, infrastructure, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
});

interface ServiceJson {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] };
  spec: { type: string; externalName?: string };
}
/** The Services of the namespace labelled for `gatewayName`, as the conformance suite selects them. */
const servicesFor = async (gatewayName: string): Promise<ServiceJson[]> =>
  (JSON.parse(await kubectl(['get', 'services', '-n', ns, '-l', `gateway.networking.k8s.io/gateway-name=${gatewayName}`, '-o', 'json'])) as { items: ServiceJson[] }).items;
const uidOf = async (gatewayName: string): Promise<string> => (await kubectl(['get', 'gateway', gatewayName, '-n', ns, '-o', 'jsonpath={.metadata.uid}'])).trim();

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('gw-infra');
  const controller = `bollard.io/e2e-${ns}`;
  await apply(
    service(ns, 'bollard', [{ name: 'http', port: 80 }]),
    { apiVersion: GROUP, kind: 'GatewayClass', metadata: { name: ns }, spec: { controllerName: controller } },
  );
  bollard = await startBollard({
    kubeconfig: env.kubeconfig,
    args: [
      '--watch-namespaces', ns, '--gateway-api', 'true', '--gateway-controller-name', controller, '--election-namespace', ns, '--election-id', 'bollard',
      '--publish-service', `${ns}/bollard`, '--gateway-infrastructure-services', 'true',
    ],
  });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await kubectl(['delete', 'gatewayclass', ns, '--ignore-not-found', '--wait=false']);
  await deleteTestNamespace(ns);
});

describe('Gateway infrastructure', () => {
  spec('a Gateway gets an ExternalName Service with its infrastructure labels and annotations, gone with the Gateway', async () => {
    await apply(gateway('edge', { labels: { key2: 'value2' }, annotations: { key1: 'value1' } }));
    const [svc] = await waitFor(async () => {
      const found = await servicesFor('edge');
      return found.length > 0 ? found : undefined;
    }, { what: 'the Gateway\'s Service', timeoutMs: 15_000, intervalMs: 100 });
    expect(svc?.metadata.labels).toMatchObject({ key2: 'value2', 'app.kubernetes.io/managed-by': 'bollard' });
    expect(svc?.metadata.annotations).toMatchObject({ key1: 'value1' });
    expect(svc?.spec).toMatchObject({ type: 'ExternalName', externalName: `bollard.${ns}.svc.cluster.local` });
    expect(svc?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Gateway', name: 'edge', uid: await uidOf('edge'), controller: true })]);

    // A change to the infrastructure labels follows.
    await apply(gateway('edge', { labels: { key2: 'changed' }, annotations: { key1: 'value1' } }));
    await waitFor(async () => ((await servicesFor('edge'))[0]?.metadata.labels?.key2 === 'changed' ? true : undefined), { what: 'the changed label', timeoutMs: 15_000, intervalMs: 100 });

    await kubectl(['delete', 'gateway', 'edge', '-n', ns]);
    await waitFor(async () => ((await servicesFor('edge')).length === 0 ? true : undefined), { what: 'the Service deleted', timeoutMs: 15_000, intervalMs: 100 });
  });

  spec('a Gateway naming a parametersRef is not accepted (InvalidParameters) and gets no Service', async () => {
    await apply(gateway('refused', { parametersRef: { group: 'invalid.io', kind: 'InvalidParameters', name: 'invalid' } }));
    const accepted = await waitFor(async () => {
      const status = JSON.parse(await kubectl(['get', 'gateway', 'refused', '-n', ns, '-o', 'json'])) as { status?: { conditions?: { type: string; status: string; reason: string }[] } };
      const c = status.status?.conditions?.find((x) => x.type === 'Accepted');
      return c?.reason === 'InvalidParameters' ? c : undefined;
    }, { what: 'Accepted InvalidParameters', timeoutMs: 15_000, intervalMs: 100 });
    expect(accepted.status).toBe('False');
    // The build that refused it submitted the Services sync too; none is ever generated for it.
    expect(await servicesFor('refused')).toEqual([]);
  });
});
