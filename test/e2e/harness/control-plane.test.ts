// Proves the e2e harness: the shared control plane accepts the objects Bollard works with, and a
// backend started in the backend network is reachable from the host at the address an
// EndpointSlice names.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EchoReply } from '../../harness/echo-server.ts';
import { createTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend } from '../../harness/e2e-env.ts';
import type { Backend } from '../../harness/e2e-env.ts';

const serviceYaml = (ns: string, backend: Backend): string => `
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: ${ns} }
spec:
  ports: [{ name: http, port: 80, targetPort: ${backend.port} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: echo-1
  namespace: ${ns}
  labels: { kubernetes.io/service-name: echo }
addressType: IPv4
ports: [{ name: http, port: ${backend.port}, protocol: TCP }]
endpoints: [{ addresses: ["${backend.ip}"], conditions: { ready: true } }]
`;

const accessYaml = (ns: string): string => `
apiVersion: v1
kind: ServiceAccount
metadata: { name: bollard, namespace: ${ns} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: read-ingresses, namespace: ${ns} }
rules: [{ apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get, list, watch] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: bollard-reads, namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-ingresses }
subjects: [{ kind: ServiceAccount, name: bollard, namespace: ${ns} }]
`;

const routingYaml = (ns: string): string => `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: ${ns} }
spec: { controller: bollard.dev/ingress-controller }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: echo, namespace: ${ns} }
spec:
  ingressClassName: ${ns}
  rules: [{ host: echo.example.test, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: echo, port: { number: 80 } } } }] } }]
---
apiVersion: v1
kind: Secret
metadata: { name: tls, namespace: ${ns} }
type: Opaque
stringData: { hello: world }
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: { name: bollard-leader, namespace: ${ns} }
spec: { holderIdentity: smoke, leaseDurationSeconds: 15 }
---
apiVersion: v1
kind: Event
metadata: { name: smoke.1, namespace: ${ns} }
involvedObject: { kind: Ingress, name: echo, namespace: ${ns} }
reason: Smoke
message: harness smoke test
type: Normal
`;

const crdYaml = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.harness.bollard.dev }
spec:
  group: harness.bollard.dev
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;

describe('e2e harness', () => {
  let ns = '';
  let backend: Backend | undefined;

  beforeAll(async () => {
    ns = await createTestNamespace('harness');
    backend = await startBackend('smoke');
  });
  afterAll(async () => {
    await backend?.stop();
  });
  const spec = (body: () => Promise<void>): (() => Promise<void>) => dumpingOnFailure(() => ns, body);

  it('creates a Service and an EndpointSlice for a backend and reads them back', spec(async () => {
    if (backend === undefined) throw new Error('no backend');
    await kubectl(['apply', '-f', '-'], serviceYaml(ns, backend));
    const slice = JSON.parse(await kubectl(['get', 'endpointslice', 'echo-1', '-n', ns, '-o', 'json'])) as {
      endpoints: { addresses: string[] }[];
      ports: { port: number }[];
    };
    expect(slice.endpoints[0]?.addresses).toEqual([backend.ip]);
    expect(slice.ports[0]?.port).toBe(backend.port);
    const svc = await kubectl(['get', 'service', 'echo', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}']);
    expect(svc).toMatch(/^10\.96\.\d+\.\d+$/);
  }));

  it('reaches the backend directly from the host', spec(async () => {
    if (backend === undefined) throw new Error('no backend');
    const env = await loadE2eEnv();
    expect(env.addresses).toContain(backend.ip);
    const res = await fetch(`http://${backend.ip}:${backend.port}/hello?status=203`, { method: 'POST', body: 'ping' });
    const reply = (await res.json()) as EchoReply;
    expect(res.status).toBe(203);
    expect(reply).toMatchObject({ backend: 'smoke', method: 'POST', url: '/hello?status=203', body: 'ping' });
  }));

  it('accepts Ingresses, IngressClasses, Secrets, Leases and Events', spec(async () => {
    await kubectl(['apply', '-f', '-'], routingYaml(ns));
    const names = await kubectl(['get', 'ingress,secret,lease,event', '-n', ns, '-o', 'name']);
    expect(names).toContain('ingress.networking.k8s.io/echo');
    expect(names).toContain('lease.coordination.k8s.io/bollard-leader');
    await kubectl(['delete', 'ingressclass', ns]);
  }));

  it('enforces RBAC for service accounts and issues their tokens', spec(async () => {
    await kubectl(['apply', '-f', '-'], accessYaml(ns));
    const sa = `system:serviceaccount:${ns}:bollard`;
    const canList = await kubectl(['auth', 'can-i', 'list', 'ingresses.networking.k8s.io', '-n', ns, `--as=${sa}`]);
    expect(canList.trim()).toBe('yes');
    const canDelete = kubectl(['auth', 'can-i', 'delete', 'ingresses.networking.k8s.io', '-n', ns, `--as=${sa}`]);
    await expect(canDelete).rejects.toMatchObject({ exitCode: 1, stdout: 'no\n' });
    const token = await kubectl(['create', 'token', 'bollard', '-n', ns, '--duration=10m']);
    expect(token.trim().split('.')).toHaveLength(3);
  }));

  it('serves CustomResourceDefinitions', spec(async () => {
    await kubectl(['apply', '-f', '-'], crdYaml);
    await kubectl(['wait', '--for=condition=Established', '--timeout=20s', 'crd/widgets.harness.bollard.dev']);
    await kubectl(['apply', '-f', '-'], `{"apiVersion":"harness.bollard.dev/v1","kind":"Widget","metadata":{"name":"w","namespace":"${ns}"}}`);
    const widget = await kubectl(['get', 'widgets', 'w', '-n', ns, '-o', 'name']);
    expect(widget.trim()).toBe('widget.harness.bollard.dev/w');
  }), 30_000);
});
