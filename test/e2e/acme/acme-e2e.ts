// Helpers of the ACME e2e specs: in-process replicas of startAcme() against the real API server
// (Ingresses watched into a ClusterState as the controller does), Ingress manifests with spec.tls,
// and readers of Secrets, Events and AcmeIssuers through kubectl.
import { Registry } from 'prom-client';
import { startAcme, type AcmeDeps, type AcmeSettings, type RunningAcme } from '../../../src/acme/start-acme.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import { createEventRecorder } from '../../../src/kube/events.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { kubectl } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';

export interface AcmeReplica {
  readonly acme: RunningAcme;
  readonly registry: Registry;
}

export interface ReplicaEnv {
  readonly client: KubeClient;
  readonly state: ClusterState;
  readonly etcdUrl: string;
  readonly directoryUrl: string;
  readonly caFile: string;
  readonly namespace: string;
}

export async function startAcmeReplica(env: ReplicaEnv, podName: string, settings: Partial<AcmeSettings> = {}, deps: Partial<AcmeDeps> = {}): Promise<AcmeReplica> {
  const registry = new Registry();
  const acme = await startAcme({
    etcdEndpoints: [env.etcdUrl], etcdPrefix: `/bollard-e2e/${env.namespace}/`, etcdCaFile: '', etcdCertFile: '', etcdKeyFile: '',
    acmeDirectory: env.directoryUrl, acmeEmail: 'e2e@bollard.test', acmeCaFile: env.caFile, acmeLeaseTtlSeconds: 3, podName,
    watchNamespaces: [env.namespace], ...settings,
  }, {
    log: silentLogger, registry, snapshot: env.state, kube: env.client,
    events: createEventRecorder(env.client, 'bollard.io/ingress-controller', podName), pollMinMs: 100, ...deps,
  });
  acme.update();
  return { acme, registry };
}

export const waitLeader = (replicas: readonly AcmeReplica[]): Promise<AcmeReplica> =>
  waitFor(() => Promise.resolve(replicas.find((r) => r.acme.isLeader())), { what: 'an ACME leader', timeoutMs: 15_000 });

/** An Ingress with one spec.tls entry per host, each with its Secret. */
export function tlsIngress(namespace: string, name: string, tls: readonly { hosts: readonly string[]; secretName?: string }[], annotations: Record<string, string> = {}, className?: string) {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { namespace, name, annotations },
    spec: {
      ...(className === undefined ? {} : { ingressClassName: className }),
      tls,
      rules: tls.flatMap((t) => t.hosts).map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } })),
    },
  };
}

export interface SecretJson {
  readonly type: string;
  readonly metadata: { readonly resourceVersion: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly data: Record<string, string>;
}

export async function getSecret(namespace: string, name: string): Promise<SecretJson | undefined> {
  const out = await kubectl(['get', 'secret', name, '-n', namespace, '-o', 'json', '--ignore-not-found']);
  return out.trim() === '' ? undefined : (JSON.parse(out) as SecretJson);
}

export const decoded = (s: SecretJson, key: string): string => Buffer.from(s.data[key] ?? '', 'base64').toString('utf8');

export interface EventJson {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: { readonly kind: string; readonly name: string };
}

export async function events(namespace: string): Promise<EventJson[]> {
  return (JSON.parse(await kubectl(['get', 'events', '-n', namespace, '-o', 'json'])) as { items: EventJson[] }).items;
}

/** Waits for an Event with `reason` on the object `name`; returns it. */
export function waitEvent(namespace: string, name: string, reason: string, timeoutMs = 15_000): Promise<EventJson> {
  return waitFor(async () => (await events(namespace)).find((e) => e.reason === reason && e.involvedObject.name === name), { what: `${reason} Event on ${name}`, timeoutMs });
}
