// The Kubernetes objects the proxy benchmark routes through: one namespace with a Service whose
// EndpointSlice points at the backend nginx, a TLS Secret and one Ingress for the benchmark host;
// and, for the large-table comparison, many hosts packed into a few Ingresses of another namespace.
import type { KubeClient } from '../../src/kube/client.ts';
import { endpointSlice, ingress, ingressClass, service } from '../../test/support/manifests.ts';

export const CLASS = 'bollard';
const CONTROLLER = 'bollard.io/ingress-controller';
const SERVICE = 'backend';
const TLS_SECRET = 'bench-tls';

export interface Backend {
  readonly ip: string;
  readonly port: number;
}

async function namespaceWithBackend(client: KubeClient, ns: string, backend: Backend): Promise<void> {
  await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await client.request('POST', `/api/v1/namespaces/${ns}/services`, service(ns, SERVICE, [{ port: 80, targetPort: backend.port }]));
  await client.request('POST', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
    endpointSlice(ns, `${SERVICE}-1`, SERVICE, { port: backend.port }, [{ ip: backend.ip }]));
}

export async function createProxyObjects(client: KubeClient, o: { ns: string; host: string; backend: Backend; certPem: string; keyPem: string }): Promise<void> {
  await client.request('POST', '/apis/networking.k8s.io/v1/ingressclasses', ingressClass(CLASS, CONTROLLER));
  await namespaceWithBackend(client, o.ns, o.backend);
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  await client.request('POST', `/api/v1/namespaces/${o.ns}/secrets`, {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { namespace: o.ns, name: TLS_SECRET },
    data: { 'tls.crt': b64(o.certPem), 'tls.key': b64(o.keyPem) },
  });
  // ssl-redirect off: the host has a certificate, and plain HTTP is measured too (as nginx serves it).
  const base = ingress(o.ns, 'bench', {
    className: CLASS, host: o.host, annotations: { 'bollard.io/ssl-redirect': 'false' },
    paths: [{ path: '/', pathType: 'Prefix', service: SERVICE, port: 80 }],
  });
  await client.request('POST', `/apis/networking.k8s.io/v1/namespaces/${o.ns}/ingresses`, {
    ...base, spec: { ...base.spec, tls: [{ hosts: [o.host], secretName: TLS_SECRET }] },
  });
}

export const manyHostName = (i: number, ns: string): string => `h${i}.${ns}.bench.test`;

function packedIngress(ns: string, index: number, hosts: readonly string[]) {
  const rule = (host: string) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: SERVICE, port: { number: 80 } } } }] } });
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: ns, name: `hosts-${index}` }, spec: { ingressClassName: CLASS, rules: hosts.map(rule) } };
}

/**
 * `count` hosts (h0.<ns>.bench.test …) in Ingresses of `perIngress` rules each, created with 16
 * POSTs in flight. Packing many rules per Ingress puts the same number of hosts in the routing
 * table with far fewer API writes; perIngress 1 makes one Ingress per host.
 */
export async function createManyHosts(client: KubeClient, o: { ns: string; count: number; perIngress: number; backend: Backend; say: (line: string) => void }): Promise<void> {
  await namespaceWithBackend(client, o.ns, o.backend);
  const ingresses = Math.ceil(o.count / o.perIngress);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < ingresses; i = next++) {
      const hosts = Array.from({ length: Math.min(o.perIngress, o.count - i * o.perIngress) }, (_, j) => manyHostName(i * o.perIngress + j, o.ns));
      await client.request('POST', `/apis/networking.k8s.io/v1/namespaces/${o.ns}/ingresses`, packedIngress(o.ns, i, hosts));
      done += 1;
      if (done % Math.max(1, Math.ceil(ingresses / 10)) === 0) o.say(`  ${Math.min(o.count, done * o.perIngress)}/${o.count} hosts created (${done}/${ingresses} Ingresses)`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}
