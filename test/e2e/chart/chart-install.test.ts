// A real `helm install` into kube-system of the e2e API server, cluster-wide, with ACME and the
// bundled etcd: the objects exist (pods never run: there is no scheduler), the ServiceAccount
// may do exactly what the controller needs, Secret writes are limited to TLS Secrets, and the
// real controller running with that ServiceAccount's token serves an Ingress end to end.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { KubectlError } from '../../harness/kubectl.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { canI, helmInstall, helmUninstall, serviceAccountIdentity, suffix } from './chart-e2e.ts';
import { expectServesIngresses, startControllerAsChart } from './controller-as-chart.ts';

const release = `bollard-e2e-${suffix()}`; // contains "bollard": every object is named after the release
const className = release;
const sa = serviceAccountIdentity('kube-system', release);
let ns = '';
let bollard: BollardProcess | undefined;
let backend: Backend | undefined;
const spec = (name: string, body: () => Promise<void>, timeoutMs = 30_000) => { it(name, dumpingOnFailure(() => ns, body), timeoutMs); };

beforeAll(async () => {
  ns = await createTestNamespace('chart');
  await helmInstall(release, {
    'acme.enabled': true, 'acme.email': 'ops@example.com', 'acme.directory': 'staging',
    'ingressClass.name': className, 'ingressClass.controllerValue': `bollard.io/${release}`,
  });
}, 120_000);

afterAll(async () => {
  await bollard?.stop();
  await backend?.stop();
  await deleteTestNamespace(ns);
});

const names = async (kinds: string, namespace?: string): Promise<string[]> => {
  const out = await kubectl(['get', kinds, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.name}{"\\n"}{end}',
    ...(namespace === undefined ? [] : ['-n', namespace])]);
  return out.trim().split('\n').filter((l) => l !== '').sort();
};

describe('helm install into kube-system', () => {
  spec('creates the controller, its Service, RBAC, IngressClass, AcmeIssuer and the bundled etcd', async () => {
    expect(await names('deployments,services,serviceaccounts,roles,rolebindings,statefulsets,poddisruptionbudgets,networkpolicies', 'kube-system')).toEqual([
      `Deployment/${release}`, `NetworkPolicy/${release}-etcd`,
      `PodDisruptionBudget/${release}`, `PodDisruptionBudget/${release}-etcd`,
      `Role/${release}-leader`, `RoleBinding/${release}-leader`,
      `Service/${release}`, `Service/${release}-etcd`, `Service/${release}-etcd-headless`, `Service/${release}-metrics`,
      `ServiceAccount/${release}`, `StatefulSet/${release}-etcd`,
    ].sort());
    expect(await names('clusterroles,clusterrolebindings,ingressclasses,acmeissuers,validatingadmissionpolicies,validatingadmissionpolicybindings')).toEqual([
      `AcmeIssuer/${release}`, `ClusterRole/${release}`, `ClusterRoleBinding/${release}`, `IngressClass/${className}`,
      `ValidatingAdmissionPolicy/${release}-kube-system-tls-secrets-only`, `ValidatingAdmissionPolicyBinding/${release}-kube-system-tls-secrets-only`,
    ].sort());
    const status = JSON.parse(await kubectl(['get', 'secret', '-n', 'kube-system', '-l', `owner=helm,name=${release}`, '-o', 'json'])) as { items: { metadata: { labels: Record<string, string> } }[] };
    expect(status.items.map((s) => s.metadata.labels.status)).toEqual(['deployed']);
  });
});

describe('RBAC: exactly what the controller needs', () => {
  const allowed: readonly [string, string, { namespace?: string; subresource?: string }][] = [
    ['list', 'ingresses.networking.k8s.io', {}], ['watch', 'ingresses.networking.k8s.io', {}],
    ['patch', 'ingresses.networking.k8s.io', { namespace: 'default', subresource: 'status' }],
    ['update', 'ingresses.networking.k8s.io', { namespace: 'default', subresource: 'status' }],
    ['watch', 'ingressclasses.networking.k8s.io', {}],
    ['list', 'services', {}], ['watch', 'endpointslices.discovery.k8s.io', {}],
    ['list', 'secrets', {}], ['watch', 'secrets', {}],
    // Gateway frontend validation reads CA bundles (ca.crt) from ConfigMaps.
    ['list', 'configmaps', {}], ['watch', 'configmaps', {}],
    ['create', 'events', { namespace: 'default' }],
    ['create', 'leases.coordination.k8s.io', { namespace: 'kube-system' }],
    ['get', `leases.coordination.k8s.io/${release}-leader`, { namespace: 'kube-system' }],
    ['update', `leases.coordination.k8s.io/${release}-leader`, { namespace: 'kube-system' }],
    ['watch', 'acmeissuers.bollard.io', {}],
    ['patch', 'acmeissuers.bollard.io', { subresource: 'status' }],
    // ACME writes certificates into the Ingresses' TLS Secrets (acme.writeTlsSecrets).
    ['create', 'secrets', { namespace: 'default' }], ['update', 'secrets', { namespace: 'default' }],
  ];
  it.each(allowed)('may %s %s %j', async (verb, resource, scope) => {
    expect(await canI(sa, verb, resource, scope)).toBe(true);
  });

  const denied: readonly [string, string, { namespace?: string; subresource?: string }][] = [
    ['create', 'ingresses.networking.k8s.io', { namespace: 'default' }],
    ['update', 'ingresses.networking.k8s.io', { namespace: 'default' }],
    ['delete', 'ingresses.networking.k8s.io', { namespace: 'default' }],
    ['delete', 'secrets', { namespace: 'default' }],
    ['update', 'services', { namespace: 'default' }],
    ['create', 'endpointslices.discovery.k8s.io', { namespace: 'default' }],
    ['delete', 'events', { namespace: 'default' }],
    ['create', 'leases.coordination.k8s.io', { namespace: 'default' }],
    ['update', 'leases.coordination.k8s.io/kube-scheduler', { namespace: 'kube-system' }],
    ['delete', `leases.coordination.k8s.io/${release}-leader`, { namespace: 'kube-system' }],
    ['update', 'configmaps', { namespace: 'kube-system' }],
    ['list', 'pods', {}], ['create', 'pods', { namespace: 'kube-system' }], ['list', 'nodes', {}],
    ['create', 'acmeissuers.bollard.io', {}], ['update', 'acmeissuers.bollard.io', {}],
    ['update', 'ingressclasses.networking.k8s.io', {}],
    ['create', 'clusterrolebindings.rbac.authorization.k8s.io', {}],
    ['create', 'serviceaccounts/token', { namespace: 'kube-system' }],
  ];
  it.each(denied)('may not %s %s %j', async (verb, resource, scope) => {
    expect(await canI(sa, verb, resource, scope)).toBe(false);
  });

  spec('the admission policy lets the ServiceAccount write TLS Secrets only', async () => {
    const env = await loadE2eEnv();
    const asSa = [...sa, '-n', ns, '--dry-run=server'];
    // The policy reaches the admission plugin within a second or two of its creation.
    const refusal = await waitFor(async () => {
      try {
        await kubectl(['create', 'secret', 'generic', 'not-tls', '--from-literal=password=x', ...asSa]);
        return undefined;
      } catch (err: unknown) {
        if (err instanceof KubectlError && err.stderr.includes('ValidatingAdmissionPolicy')) return err.stderr;
        throw err;
      }
    }, { what: 'the ValidatingAdmissionPolicy to refuse an Opaque Secret', timeoutMs: 15_000, intervalMs: 250 });
    expect(refusal).toMatch(/may only write Secrets of type kubernetes\.io\/tls/);
    const tls = await kubectl(['create', 'secret', 'tls', 'site-tls', `--cert=${join(env.dir, 'apiserver.crt')}`, `--key=${join(env.dir, 'apiserver.key')}`, ...asSa]);
    expect(tls).toMatch(/secret\/site-tls created \(server dry run\)/);
    // Other subjects are not affected.
    expect(await kubectl(['create', 'secret', 'generic', 'admin-secret', '--from-literal=a=b', '-n', ns, '--dry-run=server'])).toMatch(/created/);
  });
});

describe('the controller with the chart\'s ServiceAccount token', () => {
  spec('routes an Ingress, writes its status and an Event, and is refused nothing', async () => {
    backend = await startBackend('chart-web');
    bollard = await startControllerAsChart(release);
    await expectServesIngresses({ bollard, release, namespace: ns, className, backend });
  }, 45_000);
});

describe('helm uninstall', () => {
  spec('removes every object of the release but keeps the CRD', async () => {
    await bollard?.stop();
    bollard = undefined;
    await helmUninstall(release);
    expect(await names('deployments,services,serviceaccounts,roles,rolebindings,statefulsets,poddisruptionbudgets,networkpolicies', 'kube-system')).toEqual([]);
    expect(await names('clusterroles,clusterrolebindings,ingressclasses,acmeissuers,validatingadmissionpolicies')).toEqual([]);
    expect(await kubectl(['get', 'crd', 'acmeissuers.bollard.io', '-o', 'name'])).toMatch(/acmeissuers\.bollard\.io/);
  });
});
