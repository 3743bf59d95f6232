// The chart, rendered for each mode (charts/bollard/ci/*-values.yaml and the defaults): helm
// lint --strict passes, the objects are the ones the mode promises, and the real API server
// accepts every one of them (kubectl apply --dry-run=server: schema, CEL, admission).
// manifests/bollard.yaml is applied the same way.
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { CHART_DIR, REPO_ROOT, helm, helmBinary, render } from '../../../scripts/chart-helm.ts';
import { applyCrds, applyDryRun, at, container, envOf, findObject, kindsOf, parseManifests, type KubeObject } from './chart-e2e.ts';

const CI_DIR = `${CHART_DIR}/ci`;
const ciFile = (name: string): string => `${CI_DIR}/${name}-values.yaml`;
const rendered = new Map<string, readonly KubeObject[]>();
const yamlOf = new Map<string, string>();

/** Renders a mode once (release "bollard" in kube-system); 'default' means no values file. */
async function mode(name: string): Promise<readonly KubeObject[]> {
  const cached = rendered.get(name);
  if (cached) return cached;
  const yaml = await render(name === 'default' ? {} : { valuesFiles: [ciFile(name)] });
  yamlOf.set(name, yaml);
  const objects = parseManifests(yaml);
  rendered.set(name, objects);
  return objects;
}

const modes = async (): Promise<readonly string[]> =>
  ['default', ...(await readdir(CI_DIR)).filter((f) => f.endsWith('-values.yaml')).map((f) => basename(f, '-values.yaml')).sort()];

beforeAll(async () => {
  await Promise.all([applyCrds(), helmBinary()]); // the first helmBinary() fetches helm, once per machine
  await Promise.all((await modes()).map(mode));
}, 120_000);

describe('helm lint', () => {
  it('passes --strict with the defaults and with every ci values file', async () => {
    const files = (await modes()).filter((m) => m !== 'default').map(ciFile);
    const results = await Promise.all([[], ...files.map((f) => ['--values', f])].map((extra) => helm(['lint', '--strict', CHART_DIR, ...extra])));
    for (const out of results) expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
});

describe('server-side dry run', () => {
  it('the API server accepts every mode', async () => {
    for (const name of await modes()) {
      await mode(name);
      const out = await applyDryRun(yamlOf.get(name) ?? '');
      expect(out.trim().split('\n').every((l) => l.endsWith('(server dry run)'))).toBe(true);
    }
  }, 30_000);

  it('the API server accepts manifests/bollard.yaml', async () => {
    const out = await applyDryRun(await readFile(`${REPO_ROOT}/manifests/bollard.yaml`, 'utf8'));
    expect(out).toMatch(/deployment\.apps\/bollard created \(server dry run\)/);
    expect(out).toMatch(/customresourcedefinition\.apiextensions\.k8s\.io\/acmeissuers\.bollard\.io (created|unchanged|configured) \(server dry run\)/);
  });
});

describe('defaults', () => {
  it('a Deployment of 2 behind a LoadBalancer Service it publishes, no ACME, no etcd', async () => {
    const objects = await mode('default');
    expect(kindsOf(objects)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'IngressClass', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    const deployment = findObject(objects, 'Deployment', 'bollard');
    expect(at(deployment, 'spec', 'replicas')).toBe(2);
    expect(at(deployment, 'spec', 'strategy', 'rollingUpdate')).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const c = container(deployment, 'controller');
    expect(c.args).toEqual([
      '--controller-name=bollard.io/ingress-controller', '--http-port=8080', '--https-port=8443', '--admin-port=10254',
      '--election-namespace=kube-system', '--election-id=bollard-leader', '--drain-seconds=15', '--log-level=info',
      '--workers=1', '--https-redirect-port=443', '--publish-service=kube-system/bollard',
    ]);
    expect(Object.keys(envOf(c))).toEqual([]);
    expect(at(findObject(objects, 'Service', 'bollard'), 'spec', 'type')).toBe('LoadBalancer');
    expect(at(findObject(objects, 'IngressClass', 'bollard'), 'spec', 'controller')).toBe('bollard.io/ingress-controller');
  });

  it('restricted pod security: non-root, read-only root, no escalation, no capabilities', async () => {
    const deployment = findObject(await mode('default'), 'Deployment');
    expect(at(deployment, 'spec', 'template', 'spec', 'securityContext')).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container(deployment, 'controller').securityContext).toEqual({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
  });

  it('probes on the admin port; grace period = preStop sleep + drain + shutdown grace', async () => {
    const deployment = findObject(await mode('default'), 'Deployment');
    const c = container(deployment, 'controller');
    expect(at(c, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'admin' });
    expect(at(c, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'admin' });
    expect(at(c, 'lifecycle', 'preStop', 'sleep', 'seconds')).toBe(5);
    expect(at(deployment, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds')).toBe(5 + 15 + 10);
  });

  it('soft spread over nodes and zones', async () => {
    const spread = at(findObject(await mode('default'), 'Deployment'), 'spec', 'template', 'spec', 'topologySpreadConstraints') as { topologyKey: string; whenUnsatisfiable: string }[];
    expect(spread.map((s) => [s.topologyKey, s.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 'ScheduleAnyway'], ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ]);
  });
});

describe('namespace selector', () => {
  it('passes the selector as one argument and reads Namespaces cluster-wide', async () => {
    const objects = await mode('namespace-selector');
    const c = container(findObject(objects, 'Deployment'), 'controller');
    expect(c.args).toContain('--watch-namespace-selector=bollard.io/serve=true,env notin (dev, test)');
    expect(c.args?.some((a) => a.startsWith('--watch-namespaces'))).toBe(false);
    const rules = at(findObject(objects, 'ClusterRole', 'bollard'), 'rules') as { resources: string[]; verbs: string[] }[];
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] });
    expect(rules.flatMap((r) => r.resources)).toContain('ingresses');
    expect(objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'bollard')).toEqual([]);
  });

  it('reads Namespaces (their labels) without it too, for Gateway listeners that select route namespaces by label', async () => {
    const rules = at(findObject(await mode('default'), 'ClusterRole', 'bollard'), 'rules') as { resources: string[]; verbs: string[] }[];
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] });
    expect(rules.flatMap((r) => r.verbs.map((v) => `${r.resources.join(',')}:${v}`)).filter((x) => x.startsWith('namespaces:'))).toEqual(['namespaces:get', 'namespaces:list', 'namespaces:watch']);
  });
});

describe('gateway infrastructure Services', () => {
  it('passes the flag, the published Service and the cluster domain, and may write Services only then', async () => {
    const objects = await mode('gateway-infrastructure');
    const c = container(findObject(objects, 'Deployment'), 'controller');
    expect(c.args).toEqual(expect.arrayContaining(['--publish-service=kube-system/bollard', '--gateway-infrastructure-services=true', '--cluster-domain=k8s.example']));
    const writes = (o: readonly KubeObject[]) => (at(findObject(o, 'ClusterRole', 'bollard'), 'rules') as { resources: string[]; verbs: string[] }[])
      .filter((r) => r.resources.includes('services')).flatMap((r) => r.verbs).filter((v) => !['get', 'list', 'watch'].includes(v));
    expect(writes(objects)).toEqual(['create', 'update', 'patch', 'delete']);
    expect(writes(await mode('default'))).toEqual([]);
    expect(container(findObject(await mode('default'), 'Deployment'), 'controller').args?.some((a) => a.startsWith('--gateway-infrastructure-services'))).toBe(false);
  });
});

describe('Deployment with an HPA', () => {
  it('scales on CPU and requests/s, leaves replicas to the HPA, never puts two on one node', async () => {
    const objects = await mode('deployment-hpa');
    const deployment = findObject(objects, 'Deployment');
    expect(at(deployment, 'spec', 'replicas')).toBeUndefined();
    const hpa = findObject(objects, 'HorizontalPodAutoscaler');
    expect(at(hpa, 'spec', 'minReplicas')).toBe(3);
    expect(at(hpa, 'spec', 'maxReplicas')).toBe(12);
    expect(at(hpa, 'spec', 'metrics')).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      { type: 'Pods', pods: { metric: { name: 'bollard_requests_per_second' }, target: { type: 'AverageValue', averageValue: '800' } } },
    ]);
    expect(at(deployment, 'spec', 'template', 'spec', 'affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 0, 'topologyKey')).toBe('kubernetes.io/hostname');
    expect(at(deployment, 'spec', 'template', 'spec', 'priorityClassName')).toBe('system-cluster-critical');
    expect(container(deployment, 'controller').args).toContain('--debounce-ms=20');
    expect(at(findObject(objects, 'PodDisruptionBudget'), 'spec', 'maxUnavailable')).toBe(1);
  });

  it('default IngressClass, Local traffic policy, ServiceMonitor and a dashboard that parses', async () => {
    const objects = await mode('deployment-hpa');
    expect(at(findObject(objects, 'IngressClass'), 'metadata', 'annotations', 'ingressclass.kubernetes.io/is-default-class')).toBe('true');
    expect(at(findObject(objects, 'Service', 'bollard'), 'spec', 'externalTrafficPolicy')).toBe('Local');
    expect(at(findObject(objects, 'ServiceMonitor'), 'spec', 'endpoints', 0, 'port')).toBe('metrics');
    const dashboard = JSON.parse(String(at(findObject(objects, 'ConfigMap', 'bollard-dashboard'), 'data', 'bollard.json'))) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.some((e) => e.includes('bollard_requests_total'))).toBe(true);
    expect(exprs.some((e) => e.includes('bollard_request_duration_seconds_bucket'))).toBe(true);
  });
});

describe('DaemonSet', () => {
  it('hostNetwork on ports 80/443 adds NET_BIND_SERVICE and nothing else; publishes addresses', async () => {
    const objects = await mode('daemonset');
    expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === 'bollard')).toBe(false);
    const ds = findObject(objects, 'DaemonSet');
    const pod = at(ds, 'spec', 'template', 'spec');
    expect(at(pod, 'hostNetwork')).toBe(true);
    expect(at(pod, 'dnsPolicy')).toBe('ClusterFirstWithHostNet');
    expect(at(pod, 'nodeSelector')).toEqual({ 'node-role.kubernetes.io/edge': '' });
    const c = container(ds, 'controller');
    expect(c.securityContext?.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(c.args).toEqual(expect.arrayContaining(['--http-port=80', '--https-port=443', '--https-redirect-port=443', '--publish-status-address=203.0.113.10,203.0.113.11']));
    expect(c.args?.some((a) => a.startsWith('--publish-service'))).toBe(false);
    expect(at(ds, 'spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable')).toBe(1);
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(true);
  });

  it('hostPorts keep the container ports unprivileged: no capability', async () => {
    const objects = await mode('daemonset-hostports');
    const c = container(findObject(objects, 'DaemonSet'), 'controller');
    expect(c.ports?.map((p) => [p.name, p.containerPort, p.hostPort])).toEqual([['http', 8080, 80], ['https', 8443, 443], ['admin', 10254, undefined]]);
    expect(c.securityContext?.capabilities).toEqual({ drop: ['ALL'] });
    expect(at(findObject(objects, 'Service', 'bollard'), 'spec', 'ports')).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30080 },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP', nodePort: 30043 },
    ]);
  });
});

describe('bundled etcd', () => {
  it('3 members over TLS, a quorum PDB, a NetworkPolicy; the controller gets every member and its client certificate', async () => {
    const objects = await mode('etcd-bundled');
    const sts = findObject(objects, 'StatefulSet', 'bollard-etcd');
    expect(at(sts, 'spec', 'replicas')).toBe(3);
    expect(at(sts, 'spec', 'podManagementPolicy')).toBe('Parallel');
    expect(at(sts, 'spec', 'volumeClaimTemplates', 0, 'spec')).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } });
    const etcdArgs = container(sts, 'etcd').args ?? [];
    const headless = 'bollard-etcd-headless.kube-system.svc.cluster.local';
    expect(etcdArgs).toContain(`--initial-cluster=${[0, 1, 2].map((i) => `bollard-etcd-${i}=https://bollard-etcd-${i}.${headless}:2380`).join(',')}`);
    expect(etcdArgs).toEqual(expect.arrayContaining(['--client-cert-auth=true', '--peer-client-cert-auth=true']));
    expect(at(findObject(objects, 'PodDisruptionBudget', 'bollard-etcd'), 'spec', 'minAvailable')).toBe(2);
    expect(at(findObject(objects, 'Service', 'bollard-etcd-headless'), 'spec', 'publishNotReadyAddresses')).toBe(true);
    findObject(objects, 'NetworkPolicy', 'bollard-etcd');
    const env = envOf(container(findObject(objects, 'Deployment'), 'controller'));
    expect(env).toEqual({
      BOLLARD_ACME_ENABLED: 'true', BOLLARD_ACME_DIRECTORY: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      BOLLARD_ACME_EMAIL: 'ops@example.com', BOLLARD_ACME_ISSUER: 'bollard', BOLLARD_ACME_WRITE_TLS_SECRETS: 'true',
      BOLLARD_ETCD_ENDPOINTS: [0, 1, 2].map((i) => `https://bollard-etcd-${i}.${headless}:2379`).join(','),
      BOLLARD_ETCD_PREFIX: '/bollard/acme/',
      BOLLARD_ETCD_CA_FILE: '/etc/bollard/etcd-client/ca.crt', BOLLARD_ETCD_CERT_FILE: '/etc/bollard/etcd-client/tls.crt', BOLLARD_ETCD_KEY_FILE: '/etc/bollard/etcd-client/tls.key',
    });
  });

  it('an AcmeIssuer for Let\'s Encrypt staging, Secret writes granted and limited to TLS Secrets', async () => {
    const objects = await mode('etcd-bundled');
    expect(at(findObject(objects, 'AcmeIssuer', 'bollard'), 'spec')).toEqual({
      directory: 'https://acme-staging-v02.api.letsencrypt.org/directory', email: 'ops@example.com', keyType: 'ECDSA-P256', challenge: { type: 'http-01' },
    });
    const rules = at(findObject(objects, 'ClusterRole', 'bollard'), 'rules') as { resources: string[]; verbs: string[] }[];
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'update', 'patch'] });
    const policy = findObject(objects, 'ValidatingAdmissionPolicy');
    expect(at(policy, 'spec', 'matchConditions', 0, 'expression')).toBe("request.userInfo.username == 'system:serviceaccount:kube-system:bollard'");
  });

  it('one member on an emptyDir for development, without PDBs', async () => {
    const objects = await mode('etcd-dev');
    const sts = findObject(objects, 'StatefulSet');
    expect(at(sts, 'spec', 'replicas')).toBe(1);
    expect(at(sts, 'spec', 'volumeClaimTemplates')).toBeUndefined();
    expect(at(sts, 'spec', 'template', 'spec', 'volumes', 0)).toEqual({ name: 'data', emptyDir: {} });
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(envOf(container(findObject(objects, 'Deployment'), 'controller')).BOLLARD_ETCD_ENDPOINTS)
      .toBe('http://bollard-etcd-0.bollard-etcd-headless.kube-system.svc.cluster.local:2379');
  });
});

describe('external etcd', () => {
  it('no StatefulSet; the endpoints, prefix and client certificate go to the controller', async () => {
    const objects = await mode('etcd-external');
    expect(objects.some((o) => o.kind === 'StatefulSet')).toBe(false);
    const deployment = findObject(objects, 'Deployment');
    const env = envOf(container(deployment, 'controller'));
    expect(env.BOLLARD_ETCD_ENDPOINTS).toBe('https://etcd-0.example.internal:2379,https://etcd-1.example.internal:2379,https://etcd-2.example.internal:2379');
    expect(env.BOLLARD_ETCD_PREFIX).toBe('/bollard/prod/');
    expect(env.BOLLARD_ETCD_CERT_FILE).toBe('/etc/bollard/etcd-client/tls.crt');
    expect(at(deployment, 'spec', 'template', 'spec', 'volumes')).toContainEqual({ name: 'etcd-client-tls', secret: { secretName: 'bollard-etcd-client', defaultMode: 0o440 } });
  });

  it('dns-01 with EAB in the AcmeIssuer; no Secret writes with writeTlsSecrets=false; Roles per watched namespace', async () => {
    const objects = await mode('etcd-external');
    expect(at(findObject(objects, 'AcmeIssuer'), 'spec')).toEqual({
      directory: 'https://acme.zerossl.com/v2/DV90', email: 'ops@example.com', keyType: 'RSA-2048',
      externalAccountBinding: { keyID: 'kid-123', hmacKeySecretRef: { name: 'zerossl-eab', namespace: 'kube-system', key: 'hmacKey' } },
      challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', propagationTimeoutSeconds: 120, rfc2136: {
        nameserver: '192.0.2.53:53', zone: 'example.com', tsigKeyName: 'bollard-key', tsigAlgorithm: 'hmac-sha256',
        tsigSecretRef: { name: 'bollard-tsig', namespace: 'kube-system', key: 'secret' } } } },
    });
    const writes = objects
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) => at(o, 'rules') as { resources: string[]; verbs: string[] }[])
      .filter((r) => r.resources.includes('secrets') && r.verbs.some((v) => v !== 'get' && v !== 'list' && v !== 'watch'));
    expect(writes).toEqual([]);
    expect(objects.some((o) => o.kind === 'ValidatingAdmissionPolicy')).toBe(false);
    expect(objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'bollard').map((o) => o.metadata.namespace)).toEqual(['kube-system', 'default']);
    const clusterRules = at(findObject(objects, 'ClusterRole'), 'rules') as { resources: string[] }[];
    expect(clusterRules.flatMap((r) => r.resources)).toEqual(['ingressclasses', 'gatewayclasses', 'gatewayclasses/status', 'namespaces', 'acmeissuers', 'acmeissuers/status']);
  });
});
