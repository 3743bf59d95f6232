// Real backends: a Deployment of the echo image (hack/images/echo) behind a Service, and an
// Ingress of class bollard for one host, in a namespace of the scenario's own.
import type { Cluster } from '../../harness/cluster/env.ts';
import { ingress, list, service } from '../../support/manifests.ts';
import { INGRESS_CLASS, waitForPods } from './bollard.ts';
import type { PodInfo } from './bollard.ts';
import { ECHO_IMAGE } from './images.ts';

export interface EchoOptions {
  readonly replicas?: number;
  /** Seconds the backend keeps serving after SIGTERM (SHUTDOWN_DELAY_SECONDS), as an app should. */
  readonly shutdownDelaySeconds?: number;
}

export const echoSelector = (name: string): string => `app=${name}`;

export function echoDeployment(namespace: string, name: string, opts: EchoOptions = {}): object {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace, name },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: (opts.shutdownDelaySeconds ?? 0) + 5,
          containers: [{
            name: 'echo', image: ECHO_IMAGE, imagePullPolicy: 'Never',
            env: [{ name: 'SHUTDOWN_DELAY_SECONDS', value: String(opts.shutdownDelaySeconds ?? 0) }],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
            resources: { requests: { cpu: '10m', memory: '16Mi' } },
          }],
        },
      },
    },
  };
}

/** Deployment, Service (port 80 → named port http) and Ingress `<name>` for `host`; waits for the Pods. */
export async function deployEcho(cluster: Cluster, namespace: string, name: string, host: string, opts: EchoOptions = {}): Promise<PodInfo[]> {
  const objects = list(
    echoDeployment(namespace, name, opts),
    { ...service(namespace, name, [{ name: 'http', port: 80, targetPort: 'http' }]), spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] } },
    ingress(namespace, name, { className: INGRESS_CLASS, host, paths: [{ path: '/', pathType: 'Prefix', service: name, port: 80 }] }),
  );
  await cluster.kubectl(['apply', '-f', '-'], objects);
  return waitForPods(cluster, namespace, echoSelector(name), opts.replicas ?? 2);
}

export async function createNamespace(cluster: Cluster, prefix: string): Promise<string> {
  const name = `${prefix}-${process.pid.toString(36)}`;
  await cluster.kubectl(['create', 'namespace', name]);
  return name;
}

export async function deleteNamespace(cluster: Cluster, name: string): Promise<void> {
  await cluster.kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
}
