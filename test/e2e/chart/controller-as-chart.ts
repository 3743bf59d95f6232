// The real controller run locally the way the installed chart runs it: the flags of the
// installed Deployment, and a kubeconfig holding a token of the chart's ServiceAccount — so
// the chart's RBAC is all it has, and a missing permission fails the spec that uses this.
import { expect } from '@jest/globals';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { kubectl, type Backend } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { eventually, fromBackend } from '../../support/http.ts';
import { endpointSlice, ingress, list, service } from '../../support/manifests.ts';
import { at, container, installedWorkload, localControllerArgs, permissionProblems, serviceAccountKubeconfig } from './chart-e2e.ts';

export async function startControllerAsChart(release: string): Promise<BollardProcess> {
  const workload = await installedWorkload('deployment', release);
  const serviceAccount = String(at(workload, 'spec', 'template', 'spec', 'serviceAccountName'));
  const kubeconfig = await serviceAccountKubeconfig('kube-system', serviceAccount);
  return startBollard({ kubeconfig, args: localControllerArgs(container(workload, 'controller').args ?? []) });
}

export interface ServeCheck {
  readonly bollard: BollardProcess;
  readonly release: string;
  /** Where the Ingresses go: a namespace the controller watches. */
  readonly namespace: string;
  readonly className: string;
  readonly backend: Backend;
}

/**
 * An Ingress of the chart's class becomes routable; its status gets the published Service's
 * address (written by the elected leader through the chart's Lease); a broken Ingress gets an
 * Event; and nothing the controller did was refused.
 */
/** Aborts (with the log lines) as soon as the controller logs a refused API call. */
function abortOnRefusal(bollard: BollardProcess): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = setInterval(() => {
    const problems = permissionProblems(bollard.logs);
    if (problems.length > 0) controller.abort(new Error(`the API server refused the controller: ${JSON.stringify(problems)}`));
  }, 100);
  return { signal: controller.signal, dispose: () => { clearInterval(timer); } };
}

/**
 * An Ingress of the chart's class becomes routable; its status gets the published Service's
 * address (written by the elected leader through the chart's Lease); a broken Ingress gets an
 * Event; and nothing the controller did was refused (a refusal fails at once, with the log).
 */
export async function expectServesIngresses(check: ServeCheck): Promise<void> {
  const { bollard, namespace: ns, className, backend, release } = check;
  const host = `${release}.example.test`;
  await kubectl(['apply', '-f', '-'], list(
    service(ns, 'web', [{ name: 'http', port: 80 }]),
    endpointSlice(ns, 'web-1', 'web', { name: 'http', port: backend.port }, [{ ip: backend.ip }]),
    ingress(ns, 'web', { className, host, paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }),
    ingress(ns, 'broken', { className, host: `broken.${host}`, paths: [{ path: '/', pathType: 'Prefix', service: 'missing', port: 80 }] }),
  ));
  const refusal = abortOnRefusal(bollard);
  try {
    await eventually(bollard.httpUrl, host, '/', fromBackend(backend.name), 'route through the chart-configured controller');
    const clusterIP = (await kubectl(['get', 'service', release, '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(clusterIP).toMatch(/^10\.96\./);
    const wait = { timeoutMs: 15_000, intervalMs: 100, abort: refusal.signal };
    await waitFor(async () => {
      const ip = await kubectl(['get', 'ingress', 'web', '-n', ns, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
      return ip.trim() === clusterIP ? true : undefined;
    }, { ...wait, what: `status.loadBalancer of ${ns}/web to be ${clusterIP}` });
    await waitFor(async () => {
      const reasons = await kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=broken', '-o', 'jsonpath={.items[*].reason}']);
      return reasons.includes('ServiceNotFound') ? true : undefined;
    }, { ...wait, what: 'a ServiceNotFound Event on the broken Ingress' });
    const holder = await kubectl(['get', 'lease', `${release}-leader`, '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']);
    expect(holder.trim()).not.toBe('');
  } finally {
    refusal.dispose();
  }
  expect(permissionProblems(bollard.logs)).toEqual([]);
}
