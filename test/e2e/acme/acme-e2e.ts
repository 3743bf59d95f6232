// Helpers of the ACME e2e specs: in-process replicas of startAcme() against the real API server
// (Ingresses watched into a ClusterState as the controller does), Ingress manifests with spec.tls,
// readers of Secrets, Events and AcmeIssuers through kubectl, and startAcmeWorld(): the namespace,
// temp dir, KubeClient, etcd, Pebble, validation front and watched ClusterState every spec shares.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startAcme, type AcmeDeps, type AcmeSettings, type RunningAcme } from '../../../src/acme/start-acme.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../../src/kube/client.ts';
import { createEventRecorder } from '../../../src/kube/events.ts';
import { watchCluster } from '../../../src/kube/watch-cluster.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { createTestNamespace, deleteTestNamespace, kubectl, loadE2eEnv } from '../../harness/e2e-env.ts';
import { startPebble, type Pebble, type PebbleOptions } from '../../harness/pebble.ts';
import { REPO_ROOT } from '../../harness/repo.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startEtcdFixture, type EtcdFixture } from '../../feature/acme/etcd-fixture.ts';
import { startValidationFront, type ValidationFront } from '../../feature/acme/validation-front.ts';

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

/** What Pebble validates against: a listener on 127.0.0.1 closed at stop(). */
export interface Front {
  readonly port: number;
  close(): Promise<void>;
}

/** A process next to Pebble (e.g. bind9 for DNS-01), started in its own subdirectory of the temp dir before Pebble and stopped after it. */
export interface Sidecar {
  readonly pebble: Partial<PebbleOptions>;
  stop(): Promise<void>;
}

export interface AcmeWorldOptions<F extends Front | undefined> {
  /** Prefix of the test namespace. */
  readonly namespace: string;
  /** Prefix of the temp dir. */
  readonly tmpPrefix: string;
  /** Starts the validation front; startValidationFront() by default. */
  readonly front?: () => Promise<F>;
  /** Extra Pebble options (validationPort defaults to the front's port). */
  readonly pebble?: Partial<PebbleOptions>;
  /** Pebble's directory, a subdirectory of the temp dir; the temp dir itself by default. */
  readonly pebbleSubdir?: string;
  readonly sidecar?: (dir: string) => Promise<Sidecar>;
  /** Installs the AcmeIssuer CRD; the world's AcmeIssuer is named `${issuerPrefix}-${namespace}` and deleted at stop(). */
  readonly issuerPrefix?: string;
  /** Directory given to the replicas (ReplicaEnv); Pebble's by default. */
  readonly directoryUrl?: string;
  /** Runs after etcd and Pebble are up, before the watch starts. */
  readonly prepare?: (world: AcmeWorld<F>) => Promise<void>;
  /** Watch the namespace into `state` (updating every replica); true by default. */
  readonly watch?: boolean;
}

export interface AcmeWorld<F extends Front | undefined = ValidationFront> {
  readonly kubeconfig: string;
  readonly client: KubeClient;
  readonly namespace: string;
  readonly issuer: string;
  readonly dir: string;
  readonly caFile: string;
  readonly fx: EtcdFixture;
  readonly pebble: Pebble;
  readonly front: F;
  readonly sidecar: Sidecar | undefined;
  readonly state: ClusterState;
  readonly env: ReplicaEnv;
  /** Replicas updated on every watched change and stopped first by stop(). */
  readonly replicas: AcmeReplica[];
  /** Stops the replicas, the watch, the front, Pebble, the sidecar and etcd, removes the temp dir, the AcmeIssuer and the namespace. */
  stop(): Promise<void>;
}

async function startEtcdAndPebble(opts: Pick<AcmeWorldOptions<undefined>, 'pebble' | 'pebbleSubdir'>, dir: string, front: Front | undefined, sidecar: Sidecar | undefined): Promise<{ fx: EtcdFixture; pebble: Pebble; caFile: string }> {
  const pebbleDir = opts.pebbleSubdir === undefined ? dir : join(dir, opts.pebbleSubdir);
  if (pebbleDir !== dir) await mkdir(pebbleDir);
  const [etcd, acme] = await Promise.allSettled([
    startEtcdFixture(),
    startPebble({ dir: pebbleDir, validationPort: front?.port ?? 0, ...sidecar?.pebble, ...opts.pebble }),
  ]);
  // One failed: stop the other, or its process outlives the test (and keeps jest from exiting).
  if (etcd.status === 'rejected' || acme.status === 'rejected') {
    if (etcd.status === 'fulfilled') await etcd.value.stop();
    if (acme.status === 'fulfilled') await acme.value.stop();
    throw etcd.status === 'rejected' ? etcd.reason : (acme as PromiseRejectedResult).reason;
  }
  const [fx, pebble] = [etcd.value, acme.value];
  const caFile = join(dir, 'pebble-directory-ca.pem');
  await writeFile(caFile, pebble.caPem);
  return { fx, pebble, caFile };
}

export async function startAcmeWorld<F extends Front | undefined = ValidationFront>(opts: AcmeWorldOptions<F>): Promise<AcmeWorld<F>> {
  const e2e = await loadE2eEnv();
  const client = createKubeClient(loadKubeConfig(e2e.kubeconfig));
  if (opts.issuerPrefix !== undefined) {
    await kubectl(['apply', '-f', `${REPO_ROOT}/crds/acmeissuers.bollard.io.yaml`]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=20s', 'crd/acmeissuers.bollard.io']);
  }
  const namespace = await createTestNamespace(opts.namespace);
  const issuer = opts.issuerPrefix === undefined ? '' : `${opts.issuerPrefix}-${namespace}`;
  const dir = await mkdtemp(join(tmpdir(), opts.tmpPrefix));
  // The default front is a ValidationFront, which is what F defaults to when opts.front is left out.
  const front = await (opts.front ?? (startValidationFront as unknown as () => Promise<F>))();
  const sidecar = opts.sidecar ? await opts.sidecar(dir) : undefined;
  const { fx, pebble, caFile } = await startEtcdAndPebble(opts, dir, front, sidecar).catch(async (err: unknown) => {
    await front?.close();
    await sidecar?.stop();
    await deleteTestNamespace(namespace);
    throw err;
  });
  const state = new ClusterState();
  const replicas: AcmeReplica[] = [];
  const stopWatch = new AbortController();
  let watchDone: Promise<void> | undefined;
  const world: AcmeWorld<F> = {
    kubeconfig: e2e.kubeconfig, client, namespace, issuer, dir, caFile, fx, pebble, front, sidecar, state, replicas,
    env: { client, state, etcdUrl: fx.url, directoryUrl: opts.directoryUrl ?? pebble.directoryUrl, caFile, namespace },
    async stop() {
      await Promise.all(replicas.splice(0).map((r) => r.acme.stop()));
      stopWatch.abort();
      await watchDone;
      await front?.close();
      await pebble.stop();
      await sidecar?.stop();
      await fx.stop();
      await rm(dir, { recursive: true, force: true });
      if (issuer !== '') await kubectl(['delete', 'acmeissuer', issuer, '--ignore-not-found', '--wait=false']);
      await deleteTestNamespace(namespace);
    },
  };
  await opts.prepare?.(world);
  if (opts.watch ?? true) {
    const watch = watchCluster({ client, state, log: silentLogger, onChange: () => { for (const r of replicas) r.acme.update(); } }, [namespace], stopWatch.signal);
    watchDone = watch.done;
    await watch.synced;
  }
  return world;
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
