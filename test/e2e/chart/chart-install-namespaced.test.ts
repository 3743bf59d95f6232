// The chart installed with controller.watchNamespaces: the namespaced permissions come from a
// Role in each watched namespace, nothing cluster-wide but IngressClasses, no Secret writes
// without ACME; and the real controller with that ServiceAccount's token serves an Ingress in
// a watched namespace.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { canI, helmInstall, serviceAccountIdentity, suffix } from './chart-e2e.ts';
import { expectServesIngresses, startControllerAsChart } from './controller-as-chart.ts';

const release = `bollard-ns-${suffix()}`;
const className = release;
const sa = serviceAccountIdentity('kube-system', release);
let ns = '';
let other = '';
let bollard: BollardProcess | undefined;
let backend: Backend | undefined;

beforeAll(async () => {
  [ns, other] = await Promise.all([createTestNamespace('chart-ns'), createTestNamespace('chart-other')]);
  await helmInstall(release, {
    'controller.watchNamespaces': ['kube-system', ns],
    'ingressClass.name': className, 'ingressClass.controllerValue': `bollard.io/${release}`,
  });
}, 120_000);

afterAll(async () => {
  await bollard?.stop();
  await backend?.stop();
  await Promise.all([deleteTestNamespace(ns), deleteTestNamespace(other)]);
});

describe('RBAC scoped to the watched namespaces', () => {
  it('reads Ingresses, Services, EndpointSlices and Secrets in a watched namespace, not elsewhere', async () => {
    const checks = await Promise.all([
      canI(sa, 'watch', 'ingresses.networking.k8s.io', { namespace: ns }),
      canI(sa, 'list', 'endpointslices.discovery.k8s.io', { namespace: ns }),
      canI(sa, 'list', 'secrets', { namespace: ns }),
      canI(sa, 'patch', 'ingresses.networking.k8s.io', { namespace: ns, subresource: 'status' }),
      canI(sa, 'create', 'events', { namespace: ns }),
      canI(sa, 'watch', 'ingressclasses.networking.k8s.io', {}),
    ]);
    expect(checks).toEqual([true, true, true, true, true, true]);
    const outside = await Promise.all([
      canI(sa, 'watch', 'ingresses.networking.k8s.io', { namespace: other }),
      canI(sa, 'list', 'secrets', { namespace: other }),
      canI(sa, 'create', 'events', { namespace: other }),
      canI(sa, 'list', 'ingresses.networking.k8s.io', {}),
      canI(sa, 'list', 'secrets', {}),
    ]);
    expect(outside).toEqual([false, false, false, false, false]);
  });

  it('writes no Secrets and reads no AcmeIssuers without ACME', async () => {
    const checks = await Promise.all([
      canI(sa, 'create', 'secrets', { namespace: ns }),
      canI(sa, 'update', 'secrets', { namespace: 'kube-system' }),
      canI(sa, 'list', 'acmeissuers.bollard.io', {}),
    ]);
    expect(checks).toEqual([false, false, false]);
  });
});

describe('the controller with the chart\'s ServiceAccount token', () => {
  it('routes an Ingress in a watched namespace and writes its status', dumpingOnFailure(() => ns, async () => {
    backend = await startBackend('chart-ns-web');
    bollard = await startControllerAsChart(release);
    await expectServesIngresses({ bollard, release, namespace: ns, className, backend });
  }), 45_000);
});
