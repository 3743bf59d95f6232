// metrics-server as a host process on the node address, behind the aggregated API
// metrics.k8s.io like in any cluster: a selector-less Service kube-system/metrics-server whose
// EndpointSlice points at the process, and an APIService trusting the cluster CA. The HPA
// controller and `kubectl top` read Pod CPU and memory through it. It scrapes the kubelet every
// 10 s (the least it allows) with the admin identity, verifying the kubelet's certificate.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../free-port.ts';
import { runKubectl } from '../kubectl.ts';
import { spawnManaged } from '../processes.ts';
import type { Managed } from '../processes.ts';
import { waitUntilReady } from '../readiness.ts';
import { selfSignedHealthz } from './healthz.ts';
import { NODE_IP } from './layout.ts';
import type { ClusterPki } from './pki.ts';

export const METRICS_RESOLUTION = '10s';

export function metricsApiObjects(port: number, caBundle: string): object {
  const meta = { name: 'metrics-server', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'metrics-server' } };
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { ...meta, name: 'metrics-server-host', labels: { ...meta.labels, 'kubernetes.io/service-name': 'metrics-server' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [NODE_IP], conditions: { ready: true } }],
        ports: [{ name: 'https', port, protocol: 'TCP' }],
      },
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta1.metrics.k8s.io', labels: meta.labels },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          service: { name: 'metrics-server', namespace: 'kube-system', port: 443 },
          caBundle: Buffer.from(caBundle).toString('base64'),
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      },
    ],
  };
}

export interface MetricsServerOptions {
  readonly binary: string;
  readonly dir: string;
  /** Admin: it reads the API server's authentication ConfigMap and scrapes the kubelet. */
  readonly kubeconfig: string;
  readonly pki: ClusterPki;
  readonly detached: boolean;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<Managed> {
  const port = await freePort(NODE_IP);
  const args = [
    `--kubeconfig=${opts.kubeconfig}`,
    `--authentication-kubeconfig=${opts.kubeconfig}`,
    `--authorization-kubeconfig=${opts.kubeconfig}`,
    `--bind-address=${NODE_IP}`,
    `--secure-port=${port}`,
    `--tls-cert-file=${opts.pki.metricsServerServing.cert}`,
    `--tls-private-key-file=${opts.pki.metricsServerServing.key}`,
    `--kubelet-certificate-authority=${opts.pki.caCert}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--metric-resolution=${METRICS_RESOLUTION}`,
    // Must be below the resolution; the kubelet is local and answers in milliseconds.
    '--kubelet-request-timeout=5s',
  ];
  const logFile = join(opts.dir, 'metrics-server.log');
  const proc = spawnManaged(opts.binary, args, { logFile, detached: opts.detached });
  // /livez, not /readyz: ready means "has scraped twice", 20 s the bring-up need not wait for.
  await waitUntilReady(proc, () => selfSignedHealthz(port, NODE_IP, '/livez'), { what: 'metrics-server', timeoutMs: 60_000, intervalMs: 100, logFile });
  await runKubectl(opts.kubeconfig, ['apply', '-f', '-'], JSON.stringify(metricsApiObjects(port, await readFile(opts.pki.caCert, 'utf8'))));
  return proc;
}
