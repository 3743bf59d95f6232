// Wiring of ACME into a controller process: one etcd connection; on every replica an HTTP-01
// responder and a certificate source fed by watches; on the replica elected through etcd an
// issuer for the names the cluster snapshot asks for. The controller calls update() after each
// reconcile and stop() on shutdown; the data plane uses the responder and the certificate source.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import type { EventRecorder } from '../kube/events.ts';
import { createEtcdElection } from '../leader/etcd-election.ts';
import type { Logger } from '../log/logger.ts';
import type { ClusterSnapshot, IngressObject, ObjectRef } from '../snapshot/model.ts';
import { trustAcmeDirectoryCa } from './acme-client.ts';
import { createCertificateSource, type CertificateSource } from './certificate-store.ts';
import { realTimers, type Timers } from './due-queue.ts';
import { connectEtcd } from './etcd-connection.ts';
import { createEtcdStorage, type EtcdStorage } from './etcd-storage.ts';
import { createHttp01Handler, createHttp01Responder, type Http01Responder } from './http01-responder.ts';
import { createIssuer, type EnsureOutcome } from './issuer.ts';
import { createAcmeMetrics } from './metrics.ts';
import { selectAcmeNames, type AcmeName } from './names.ts';

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
}

export interface AcmeDeps {
  readonly log: Logger;
  readonly registry: Registry;
  readonly snapshot: ClusterSnapshot & { lookupIngress(namespace: string, name: string): IngressObject | undefined };
  readonly events?: EventRecorder;
  readonly now?: () => number;
  readonly timers?: Timers;
  /** acme-client's poll start (ms); tests lower it. */
  readonly pollMinMs?: number;
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
  /** Checks one name now (leader only; 'inactive' elsewhere). */
  ensure(name: string): Promise<EnsureOutcome>;
  stop(): Promise<void>;
}

const wait = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal }).catch(() => undefined);

export async function startAcme(settings: AcmeSettings, deps: AcmeDeps): Promise<RunningAcme> {
  const log = deps.log.child({ component: 'acme' });
  const now = deps.now ?? Date.now;
  if (settings.acmeCaFile !== '') trustAcmeDirectoryCa(await readFile(settings.acmeCaFile, 'utf8'));
  const connection = await connectEtcd({ endpoints: settings.etcdEndpoints, caFile: settings.etcdCaFile, certFile: settings.etcdCertFile, keyFile: settings.etcdKeyFile });
  const storage = createEtcdStorage({ connection, prefix: settings.etcdPrefix, identity: settings.podName, lockTtlSeconds: settings.acmeLeaseTtlSeconds });
  const metrics = createAcmeMetrics(deps.registry);
  const certificates = createCertificateSource(storage, log, (c, name) => {
    if (c) metrics.certificateExpiry.set({ name }, Math.floor(c.notAfter / 1000));
    else metrics.certificateExpiry.remove({ name });
  });
  const responder = createHttp01Responder(storage, log);
  let wanted = new Map<string, AcmeName>();
  const issuer = createIssuer(
    { directoryUrl: settings.acmeDirectory, email: settings.acmeEmail, backoff: { baseMs: 5 * 60_000, maxMs: 12 * 3_600_000 }, lockWaitMs: 60_000, concurrency: 4, ...(deps.pollMinMs === undefined ? {} : { pollMinMs: deps.pollMinMs }) },
    {
      storage, log, metrics, now, random: Math.random, timers: deps.timers ?? realTimers,
      onEvent: (name, event) => {
        for (const ref of wanted.get(name)?.ingresses ?? []) {
          const ingress = deps.snapshot.lookupIngress(ref.namespace, ref.name);
          if (ingress && deps.events) deps.events.record(ingress, event).catch((err: unknown) => { log.warn('could not record ACME event', { err, name }); });
        }
      },
    },
  );
  const stop = new AbortController();
  const prefix = settings.etcdPrefix.endsWith('/') ? settings.etcdPrefix : `${settings.etcdPrefix}/`;
  const election = createEtcdElection(
    { name: 'issuer', identity: settings.podName, ttlSeconds: settings.acmeLeaseTtlSeconds, retryMs: 2000 },
    { etcd: connection.client.namespace(prefix), log, now, wait },
  );
  election.onElected(() => { issuer.start(); });
  election.onLost(() => { void issuer.stop(); });
  await Promise.all([responder.start(), certificates.start()]);
  let lastServed: readonly ObjectRef[] | undefined;
  // Nothing is selected before the controller's first update(): until its initial sync the
  // snapshot lacks Secrets, and hosts with a Secret would look like they need a certificate.
  let primed = false;
  const recompute = (): void => {
    const selection = selectAcmeNames(deps.snapshot, {
      issued: new Set(certificates.names()),
      ...(lastServed ? { served: new Set(lastServed.map((r) => `${r.namespace}/${r.name}`)) } : {}),
    });
    wanted = new Map(selection.names.map((n) => [n.name, n]));
    for (const s of selection.skipped) log.debug('ACME name skipped', { ingress: `${s.ingress.namespace}/${s.ingress.name}`, host: s.host, reason: s.reason });
    issuer.setNames([...wanted.keys()]);
  };
  const update = (served?: readonly ObjectRef[]): void => {
    if (served) lastServed = served;
    primed = true;
    recompute();
  };
  certificates.onChange(() => { if (primed) recompute(); });
  const electionRun = election.run(stop.signal);
  log.info('ACME started', { directory: settings.acmeDirectory, etcd: settings.etcdEndpoints, prefix });

  return {
    storage, responder, certificates, update,
    handleHttp01: createHttp01Handler(responder),
    challenges: (token) => responder.cached(token),
    isLeader: () => election.isLeader(),
    ensure: (name) => issuer.ensure(name),
    async stop() {
      stop.abort();
      await electionRun;
      await issuer.stop();
      await Promise.all([responder.close(), certificates.close()]);
      await connection.close();
      log.info('ACME stopped');
    },
  };
}
