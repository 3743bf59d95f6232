// Wiring of ACME into a controller process: one etcd connection; on every replica an HTTP-01
// responder and a certificate source fed by watches; on the replica elected through etcd the
// issuer (through issuer-runner: settings from the flags or an AcmeIssuer, checked before use)
// for the names the cluster snapshot asks for, and the mirror of certificates into the
// Ingresses' TLS Secrets. The controller calls update() after each reconcile and stop() on
// shutdown; the data plane uses the responder and the certificate source.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import type { KubeClient } from '../kube/client.ts';
import type { EventRecorder, IngressEvent } from '../kube/events.ts';
import { createEtcdElection } from '../leader/etcd-election.ts';
import type { Logger } from '../log/logger.ts';
import type { ClusterSnapshot, IngressObject, ObjectRef } from '../snapshot/model.ts';
import { trustAcmeDirectoryCa } from './acme-client.ts';
import { createCertificateSource, type CertificateSource } from './certificate-store.ts';
import { realTimers, type Timers } from './due-queue.ts';
import { connectEtcd, type EtcdConnection } from './etcd-connection.ts';
import { createEtcdStorage, type EtcdStorage } from './etcd-storage.ts';
import { createHttp01Handler, createHttp01Responder, type Http01Responder } from './http01-responder.ts';
import type { EnsureOutcome } from './issuer.ts';
import type { Dns01Factory } from './issuer-profile.ts';
import { createIssuerReporter } from './issuer-reporter.ts';
import { createIssuerRunner, type IssuerRunner, type IssuerState } from './issuer-runner.ts';
import { startIssuerSource, type IssuerSourceHandle } from './issuer-source.ts';
import { watchManagedSecrets, type ManagedSecrets } from './managed-secrets.ts';
import { createAcmeMetrics, type AcmeMetrics } from './metrics.ts';
import { rfc2136Factory } from './rfc2136.ts';
import { selectAcmeNames, type AcmeName } from './names.ts';
import type { BackoffPolicy } from './schedule.ts';
import { planTlsSecrets, type SecretPlan } from './secret-plan.ts';
import { createSecretSync, type SecretSync } from './secret-sync.ts';

export interface AcmeSettings {
  readonly etcdEndpoints: readonly string[];
  readonly etcdPrefix: string;
  readonly etcdCaFile: string;
  readonly etcdCertFile: string;
  readonly etcdKeyFile: string;
  readonly acmeDirectory: string;
  readonly acmeEmail: string;
  /** Extra CA (PEM file) trusted for the ACME directory's TLS, e.g. a private ACME server; '' for none. */
  readonly acmeCaFile: string;
  /** TTL of the election lease and of per-name locks: how long a crashed leader blocks. */
  readonly acmeLeaseTtlSeconds: number;
  readonly podName: string;
  /** The AcmeIssuer to order through; '' or absent: the default issuer of acmeDirectory/acmeEmail. */
  readonly acmeIssuer?: string;
  /** Mirror certificates into the Ingresses' spec.tls Secrets (needs deps.kube); default true. */
  readonly acmeWriteTlsSecrets?: boolean;
  /** Namespaces the controller watches (managed Secrets are watched there); empty: all. */
  readonly watchNamespaces?: readonly string[];
}

export interface AcmeDeps {
  readonly log: Logger;
  readonly registry: Registry;
  readonly snapshot: ClusterSnapshot & { lookupIngress(namespace: string, name: string): IngressObject | undefined };
  readonly events?: EventRecorder;
  /** The API client: AcmeIssuer, TLS Secrets. Without it, flags only and no Secret writes. */
  readonly kube?: KubeClient;
  readonly now?: () => number;
  readonly timers?: Timers;
  /** acme-client's poll start (ms); tests lower it. */
  readonly pollMinMs?: number;
  /** Back-off of the issuer check after a problem (default 30 s doubling to 30 min). */
  readonly issuerRetry?: BackoffPolicy;
  /** Deadline of the directory request of the issuer check (default 10 s). */
  readonly directoryTimeoutMs?: number;
  /** Builds the DNS-01 provider of a dns-01 AcmeIssuer; default: RFC 2136 (rfc2136.ts). */
  readonly dns01Factory?: Dns01Factory;
}

/** What the data plane's proxy handler takes (dataplane/proxy-handler.ts ChallengeResponder). */
export type SyncChallengeResponder = (token: string) => string | undefined;

export interface RunningAcme {
  readonly storage: EtcdStorage;
  readonly responder: Http01Responder;
  /** For the HTTP listener: answers /.well-known/acme-challenge/* with read-through; false for other requests. */
  readonly handleHttp01: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Cache-only form for a synchronous data-plane hook. */
  readonly challenges: SyncChallengeResponder;
  /** Certificates for SNI, on every replica. */
  readonly certificates: CertificateSource;
  /**
   * Recomputes the wanted names from the snapshot; `served` are the Ingresses of Bollard's class.
   * Call it only after the initial sync (no name is ordered before the first call).
   */
  update(served?: readonly ObjectRef[]): void;
  isLeader(): boolean;
  /** The issuer's state as last checked on this replica (leader only). */
  issuerState(): IssuerState | undefined;
  /** Checks one name now (leader only; 'inactive' elsewhere or while the issuer is not ready). */
  ensure(name: string): Promise<EnsureOutcome>;
  /** Resolves when no TLS Secret write is running (tests). */
  secretsIdle(): Promise<void>;
  stop(): Promise<void>;
}

const wait = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal }).catch(() => undefined);

interface Context {
  readonly log: Logger;
  readonly now: () => number;
  readonly timers: Timers;
  readonly storage: EtcdStorage;
  readonly metrics: AcmeMetrics;
  readonly certificates: CertificateSource;
  /** Event on these Ingresses. */
  readonly recordOn: (refs: readonly ObjectRef[], event: IngressEvent) => void;
  readonly wanted: () => ReadonlyMap<string, AcmeName>;
}

function allWanting(wanted: ReadonlyMap<string, AcmeName>): ObjectRef[] {
  const seen = new Map<string, ObjectRef>();
  for (const n of wanted.values()) for (const r of n.ingresses) seen.set(`${r.namespace}/${r.name}`, r);
  return [...seen.values()];
}

function buildRunner(settings: AcmeSettings, deps: AcmeDeps, ctx: Context, source: IssuerSourceHandle): IssuerRunner {
  const kube = deps.kube && source.current ? { client: deps.kube, current: source.current } : undefined;
  return createIssuerRunner({
    issuer: { backoff: { baseMs: 5 * 60_000, maxMs: 12 * 3_600_000 }, lockWaitMs: 60_000, concurrency: 4, pollMinMs: deps.pollMinMs ?? 1000 },
    retry: deps.issuerRetry ?? { baseMs: 30_000, maxMs: 30 * 60_000 },
    directoryTimeoutMs: deps.directoryTimeoutMs ?? 10_000,
  }, {
    storage: ctx.storage, log: ctx.log, metrics: ctx.metrics, now: ctx.now, random: Math.random, timers: ctx.timers,
    onEvent: (name, event) => { ctx.recordOn(ctx.wanted().get(name)?.ingresses ?? [], event); },
    report: createIssuerReporter({
      log: ctx.log, metrics: ctx.metrics, now: ctx.now, instance: settings.podName, ...(kube ? { kube } : {}),
      ingressEvent: (event) => { ctx.recordOn(allWanting(ctx.wanted()), event); },
    }),
  });
}

function buildSecretSync(settings: AcmeSettings, deps: AcmeDeps, ctx: Context, managed: ManagedSecrets | undefined, plan: () => SecretPlan): SecretSync | undefined {
  if (!deps.kube || !managed || settings.acmeWriteTlsSecrets === false) return undefined;
  return createSecretSync({
    client: deps.kube, log: ctx.log, managed, certificates: ctx.certificates, plan, timers: ctx.timers, retry: { baseMs: 2000, maxMs: 5 * 60_000 },
    exists: (ns, name) => deps.snapshot.lookupSecret(ns, name) !== undefined,
    onEvent: ctx.recordOn,
  });
}

function eventRecorderOn(deps: AcmeDeps, log: Logger): (refs: readonly ObjectRef[], event: IngressEvent) => void {
  return (refs, event) => {
    for (const ref of refs) {
      const ingress = deps.snapshot.lookupIngress(ref.namespace, ref.name);
      if (ingress && deps.events) deps.events.record(ingress, event).catch((err: unknown) => { log.warn('could not record ACME event', { err, ingress: `${ref.namespace}/${ref.name}` }); });
    }
  };
}

async function openStorage(settings: AcmeSettings): Promise<{ connection: EtcdConnection; storage: EtcdStorage }> {
  if (settings.acmeCaFile !== '') trustAcmeDirectoryCa(await readFile(settings.acmeCaFile, 'utf8'));
  const connection = await connectEtcd({ endpoints: settings.etcdEndpoints, caFile: settings.etcdCaFile, certFile: settings.etcdCertFile, keyFile: settings.etcdKeyFile });
  const storage = createEtcdStorage({ connection, prefix: settings.etcdPrefix, identity: settings.podName, lockTtlSeconds: settings.acmeLeaseTtlSeconds });
  return { connection, storage };
}

export async function startAcme(settings: AcmeSettings, deps: AcmeDeps): Promise<RunningAcme> {
  const log = deps.log.child({ component: 'acme' });
  const { connection, storage } = await openStorage(settings);
  const metrics = createAcmeMetrics(deps.registry);
  const certificates = createCertificateSource(storage, log, (c, name) => {
    if (c) metrics.certificateExpiry.set({ name }, Math.floor(c.notAfter / 1000));
    else metrics.certificateExpiry.remove({ name });
  });
  const responder = createHttp01Responder(storage, log);
  const stop = new AbortController();
  let wanted = new Map<string, AcmeName>();
  let plan: SecretPlan = { targets: [], shared: [] };
  let dns01 = false;
  const ctx: Context = {
    log, now: deps.now ?? Date.now, timers: deps.timers ?? realTimers, storage, metrics, certificates,
    recordOn: eventRecorderOn(deps, log), wanted: () => wanted,
  };
  const managed = deps.kube ? watchManagedSecrets({ client: deps.kube, log }, settings.watchNamespaces ?? [], stop.signal) : undefined;
  const issuerName = settings.acmeIssuer ?? '';
  const source = startIssuerSource({ name: issuerName, kube: deps.kube, log, directory: settings.acmeDirectory, email: settings.acmeEmail, dns01Factory: deps.dns01Factory ?? rfc2136Factory }, stop.signal);
  const runner = buildRunner(settings, deps, ctx, source);
  const secrets = buildSecretSync(settings, deps, ctx, managed, () => plan);

  const prefix = settings.etcdPrefix.endsWith('/') ? settings.etcdPrefix : `${settings.etcdPrefix}/`;
  const election = createEtcdElection(
    { name: 'issuer', identity: settings.podName, ttlSeconds: settings.acmeLeaseTtlSeconds, retryMs: 2000 },
    { etcd: connection.client.namespace(prefix), log, now: ctx.now, wait },
  );
  election.onElected(() => { metrics.leader.set(1); runner.elected(); secrets?.start(); });
  election.onLost(() => { metrics.leader.set(0); metrics.issuerReady.set(0); void runner.lost(); void secrets?.stop(); });
  try {
    await Promise.all([responder.start(), certificates.start()]);
  } catch (err: unknown) {
    // etcd unreachable at start: release everything so the caller's retry starts clean.
    stop.abort();
    await Promise.allSettled([responder.close(), certificates.close()]);
    await connection.close();
    throw err;
  }
  let lastServed: readonly ObjectRef[] | undefined;
  // Nothing is selected before the controller's first update(): until its initial sync the
  // snapshot lacks Secrets, and hosts with a Secret would look like they need a certificate.
  let primed = false;
  const recompute = (): void => {
    if (!primed) return;
    const served = lastServed ? new Set(lastServed.map((r) => `${r.namespace}/${r.name}`)) : undefined;
    const selection = selectAcmeNames(deps.snapshot, { issued: new Set(certificates.names()), dns01, managedSecrets: managed?.keys() ?? new Set(), served });
    wanted = new Map(selection.names.map((n) => [n.name, n]));
    for (const s of selection.skipped) log.debug('ACME name skipped', { ingress: `${s.ingress.namespace}/${s.ingress.name}`, host: s.host, reason: s.reason });
    plan = planTlsSecrets(deps.snapshot, new Set(wanted.keys()), served);
    runner.setNames([...wanted.keys()]);
    secrets?.kick();
  };
  certificates.onChange(recompute);
  managed?.onChange(recompute);
  source.onChange((s) => { dns01 = s.dns01; runner.setSource(s.source); recompute(); });
  const electionRun = election.run(stop.signal);
  log.info('ACME started', { directory: settings.acmeDirectory, issuer: issuerName === '' ? '(flags)' : issuerName, etcd: settings.etcdEndpoints, prefix, writeTlsSecrets: secrets !== undefined });

  return {
    storage, responder, certificates,
    update(served) {
      if (served) lastServed = served;
      primed = true;
      recompute();
    },
    handleHttp01: createHttp01Handler(responder),
    challenges: (token) => responder.cached(token),
    isLeader: () => election.isLeader(),
    issuerState: () => runner.state(),
    ensure: (name) => runner.ensure(name),
    secretsIdle: () => secrets?.idle() ?? Promise.resolve(),
    async stop() {
      stop.abort();
      await electionRun;
      await Promise.all([runner.stop(), secrets?.stop()]);
      await Promise.allSettled([managed?.done, source.done]);
      await Promise.all([responder.close(), certificates.close()]);
      await connection.close();
      log.info('ACME stopped');
    },
  };
}
