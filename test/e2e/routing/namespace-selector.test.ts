// --watch-namespace-selector end to end: real kube-apiserver, real Bollard process. Two
// namespaces, one labelled to match: only its Ingress is served; labelling the other serves its
// Ingress too, removing the label stops that again. The label value is unique to this run, so
// namespaces of other specs are never selected.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { eventually, fromBackend, get, withStatus } from '../../support/http.ts';
import { endpointSlice, ingress, ingressClass, list, service } from '../../support/manifests.ts';

const CONTROLLER = 'bollard.io/ingress-controller';
const LABEL = 'e2e.bollard.io/serve';
const VALUE = `run-${randomBytes(3).toString('hex')}`;
let selected = '';
let other = '';
let bollard: BollardProcess;
const backends: Backend[] = [];
const url = (): string => bollard.httpUrl;
const hostOf = (ns: string): string => `${ns}.selector.example.test`;
const apply = async (...objects: object[]): Promise<void> => { await kubectl(['apply', '-f', '-'], list(...objects)); };
const label = (ns: string, on: boolean): Promise<string> => kubectl(['label', 'namespace', ns, '--overwrite', on ? `${LABEL}=${VALUE}` : `${LABEL}-`]);

/** A backend named after the namespace, its Service and slice, and an Ingress for hostOf(ns). */
async function serveFrom(ns: string): Promise<void> {
  const b = await startBackend(ns);
  backends.push(b);
  await apply(
    service(ns, 'web', [{ port: 80 }]),
    endpointSlice(ns, 'web-1', 'web', { port: b.port }, [{ ip: b.ip }]),
    ingress(ns, 'web', { className: 'bollard', host: hostOf(ns), paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }),
  );
}

beforeAll(async () => {
  const env = await loadE2eEnv();
  [selected, other] = await Promise.all([createTestNamespace('selector-on'), createTestNamespace('selector-off')]);
  await apply(ingressClass('bollard', CONTROLLER));
  await label(selected, true);
  await Promise.all([serveFrom(selected), serveFrom(other)]);
  bollard = await startBollard({
    kubeconfig: env.kubeconfig,
    args: ['--watch-namespace-selector', `${LABEL}=${VALUE}`, '--publish-status-address', '192.0.2.11', '--election-namespace', selected, '--election-id', 'bollard'],
  });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await Promise.all(backends.map((b) => b.stop()));
  await Promise.all([deleteTestNamespace(selected), deleteTestNamespace(other)]);
});

describe('namespace selector', () => {
  it('serves the labelled namespace only, and follows the label as it comes and goes', dumpingOnFailure(() => selected, dumpingOnFailure(() => other, async () => {
    await eventually(url(), hostOf(selected), '/', fromBackend(selected), 'Ingress of the labelled namespace');
    expect((await get(url(), hostOf(other), '/')).status).toBe(404);

    await label(other, true);
    await eventually(url(), hostOf(other), '/', fromBackend(other), 'Ingress of the namespace once labelled');
    await kubectl(['wait', '-n', other, 'ingress/web', '--for=jsonpath={.status.loadBalancer.ingress[0].ip}=192.0.2.11', '--timeout=15s']);
    expect((await get(url(), hostOf(selected), '/')).echo?.backend).toBe(selected);

    await label(other, false);
    await eventually(url(), hostOf(other), '/', withStatus(404), 'Ingress of the namespace once unlabelled');
    // No longer served: the address Bollard wrote is cleared again.
    await waitFor(async () => ((await kubectl(['get', 'ingress', 'web', '-n', other, '-o', 'jsonpath={.status.loadBalancer.ingress}'])).trim() === '' ? true : undefined),
      { what: 'status cleared after unlabelling', timeoutMs: 15_000 });
    expect((await get(url(), hostOf(selected), '/')).echo?.backend).toBe(selected);
  })), 45_000);
});
