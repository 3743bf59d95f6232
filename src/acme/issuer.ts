// The ACME issuer, run by the elected leader only. For each wanted name (certmagic's
// obtainCert): check storage → take the name's lock → check again → order (or resume the order
// a dead leader left) → store key, chain and metadata fenced by the lock. Renewal is scheduled at
// the time fixed in the metadata (2/3 of the lifetime, jittered); a failure backs the name off
// (persisted); a restart with certificates in storage orders nothing.
import type { IngressEvent } from '../kube/events.ts';
import type { Logger } from '../log/logger.ts';
import { loadOrCreateAccount } from './account.ts';
import type { AcmeClient, ExternalAccountBinding, KeyType } from './acme-client.ts';
import { loadBackoff, recordFailure } from './backoff.ts';
import { describeCertificate, parseMeta, type CertificateMeta } from './certificate.ts';
import { createDueQueue, type DueQueue, type Timers } from './due-queue.ts';
import { AcmeOrderError, FencedError, LockAbortedError, LockLostError, NotFoundError, errorText } from './errors.ts';
import { publishHttp01, withdrawHttp01 } from './http01-challenges.ts';
import { backoffKey, certificateKeys, lockNameForCertificate } from './keys.ts';
import type { AcmeMetrics } from './metrics.ts';
import { forgetOrder, http01Solver, obtainCertificate, type ChallengeSolver } from './order.ts';
import { renewalTime, type BackoffPolicy } from './schedule.ts';
import type { LockHandle, Storage } from './storage.ts';

export interface IssuerOptions {
  readonly directoryUrl: string;
  readonly email: string;
  readonly backoff: BackoffPolicy;
  /** How long to wait for a name's lock before trying again later. */
  readonly lockWaitMs: number;
  /** Orders in flight at once. */
  readonly concurrency: number;
  readonly pollMinMs?: number;
  readonly renewJitterFraction?: number;
  readonly challengeTtlSeconds?: number;
  /** Key type of new certificate keys; ECDSA P-256 when absent. */
  readonly keyType?: KeyType;
  /** Sent when the account is registered. */
  readonly externalAccountBinding?: ExternalAccountBinding;
  /** How names are validated; http-01 through storage when absent. */
  readonly solver?: ChallengeSolver;
}

export interface IssuerDeps {
  readonly storage: Storage;
  readonly log: Logger;
  readonly metrics: AcmeMetrics;
  readonly now: () => number;
  readonly random: () => number;
  readonly timers: Timers;
  /** An Event for the Ingresses that want `name` (issued, renewed, failed). */
  readonly onEvent?: (name: string, event: IngressEvent) => void;
}

export type EnsureOutcome = 'valid' | 'issued' | 'renewed' | 'backoff' | 'failed' | 'busy' | 'lost' | 'inactive';

export interface Issuer {
  /** The names to keep certificates for; new ones are checked at once, removed ones dropped. */
  setNames(names: readonly string[]): void;
  /** Starts acting (on election): every wanted name is checked. */
  start(): void;
  /** Stops acting (lost leadership, shutdown): aborts orders in flight and waits for them. */
  stop(): Promise<void>;
  /** Checks one name now and orders when due; resolves with what happened. */
  ensure(name: string): Promise<EnsureOutcome>;
  /** Resolves when no name is being worked on. */
  idle(): Promise<void>;
}

type Inspection = { readonly due: false; readonly at: number; readonly outcome: EnsureOutcome } | { readonly due: true; readonly meta?: CertificateMeta };

async function loadMeta(storage: Storage, name: string): Promise<CertificateMeta | undefined> {
  try {
    return parseMeta(await storage.load(certificateKeys(name).meta));
  } catch (err: unknown) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export function createIssuer(opts: IssuerOptions, deps: IssuerDeps): Issuer {
  const { storage, log, metrics, now } = deps;
  const wanted = new Set<string>();
  const pending = new Set<string>();
  const running = new Map<string, Promise<EnsureOutcome>>();
  let active: AbortController | undefined;
  let account: Promise<AcmeClient> | undefined;
  const queue: DueQueue = createDueQueue(now, deps.timers, (names) => { for (const n of names) pending.add(n); pump(); });
  const solver = opts.solver ?? http01Solver({
    publish: (token, record) => publishHttp01(storage, token, record, opts.challengeTtlSeconds),
    withdraw: (token) => withdrawHttp01(storage, token),
  });

  const inspect = async (name: string): Promise<Inspection> => {
    const meta = await loadMeta(storage, name);
    const renewAt = meta ? Date.parse(meta.renewAt) : NaN;
    if (meta && now() < renewAt) return { due: false, at: renewAt, outcome: 'valid' };
    const backoff = await loadBackoff(storage, name);
    if (backoff && now() < backoff.nextAttemptAt) return { due: false, at: backoff.nextAttemptAt, outcome: 'backoff' };
    return meta ? { due: true, meta } : { due: true };
  };

  const getAccount = (signal: AbortSignal): Promise<AcmeClient> => {
    account ??= loadOrCreateAccount(storage, {
      directoryUrl: opts.directoryUrl, email: opts.email, pollMinMs: opts.pollMinMs,
      ...(opts.externalAccountBinding ? { externalAccountBinding: opts.externalAccountBinding } : {}),
    }, signal);
    account.catch(() => { account = undefined; });
    return account;
  };

  const succeed = async (name: string, lock: LockHandle, previous: CertificateMeta | undefined, got: { certPem: string; keyPem: string }): Promise<EnsureOutcome> => {
    const facts = describeCertificate(got.certPem);
    const renewAt = renewalTime(facts.notBefore, facts.notAfter, deps.random(), opts.renewJitterFraction);
    const meta: CertificateMeta = {
      names: facts.names, notBefore: new Date(facts.notBefore).toISOString(), notAfter: new Date(facts.notAfter).toISOString(),
      renewAt: new Date(renewAt).toISOString(), issuedAt: new Date(now()).toISOString(), serial: facts.serial, directoryUrl: opts.directoryUrl,
    };
    const keys = certificateKeys(name);
    // Key first: replicas serve a pair only once key and certificate match.
    await storage.store(keys.key, got.keyPem, { fence: lock });
    await storage.store(keys.cert, got.certPem, { fence: lock });
    await storage.store(keys.meta, JSON.stringify(meta), { fence: lock });
    await forgetOrder(name, storage, lock);
    await storage.delete(backoffKey(name), { fence: lock });
    metrics.ordersSucceeded.inc();
    const renewed = previous !== undefined;
    log.info(renewed ? 'certificate renewed' : 'certificate issued', { name, notAfter: meta.notAfter, renewAt: meta.renewAt, serial: facts.serial });
    deps.onEvent?.(name, { type: 'Normal', reason: renewed ? 'AcmeCertificateRenewed' : 'AcmeCertificateIssued', message: `certificate for ${name} ${renewed ? 'renewed' : 'issued'}, valid until ${meta.notAfter}` });
    queue.at(name, renewAt);
    return renewed ? 'renewed' : 'issued';
  };

  const fail = async (name: string, lock: LockHandle, err: unknown): Promise<EnsureOutcome> => {
    metrics.ordersFailed.inc();
    const detail = err instanceof AcmeOrderError ? err.detail : errorText(err);
    const record = await recordFailure(storage, name, detail, { now: now(), random: deps.random(), policy: opts.backoff, fence: lock }).catch(() => undefined);
    const next = record?.nextAttemptAt ?? now() + opts.backoff.baseMs;
    log.warn('certificate order failed', { name, err, attempts: record?.attempts, nextAttemptAt: new Date(next).toISOString() });
    deps.onEvent?.(name, { type: 'Warning', reason: 'AcmeOrderFailed', message: `ordering a certificate for ${name} failed (attempt ${record?.attempts ?? '?'}, next at ${new Date(next).toISOString()}): ${detail}` });
    queue.at(name, next);
    return 'failed';
  };

  const order = async (name: string, lock: LockHandle, previous: CertificateMeta | undefined, signal: AbortSignal): Promise<EnsureOutcome> => {
    metrics.ordersStarted.inc();
    try {
      const client = await getAccount(signal);
      const got = await obtainCertificate(name, { client, storage, lock, solver, now, ...(opts.keyType ? { keyType: opts.keyType } : {}) });
      return await succeed(name, lock, previous, got);
    } catch (err: unknown) {
      if (err instanceof FencedError || err instanceof LockLostError || signal.aborted || lock.lost.aborted) {
        log.warn('certificate order interrupted; the next lock holder resumes it', { name, err });
        return 'lost';
      }
      return fail(name, lock, err);
    }
  };

  const ensureLocked = async (name: string, signal: AbortSignal): Promise<EnsureOutcome> => {
    const first = await inspect(name);
    if (!first.due) {
      // Logged once per check (after an election, then at renewal time): proof that a restart reused it.
      if (first.outcome === 'valid') log.info('certificate valid in storage', { name, renewAt: new Date(first.at).toISOString() });
      queue.at(name, first.at);
      return first.outcome;
    }
    let lock: LockHandle;
    try {
      lock = await storage.lock(lockNameForCertificate(name), AbortSignal.any([signal, AbortSignal.timeout(opts.lockWaitMs)]));
    } catch (err: unknown) {
      if (!(err instanceof LockAbortedError) || signal.aborted) throw err;
      queue.at(name, now() + opts.lockWaitMs);
      return 'busy';
    }
    try {
      const again = await inspect(name);
      if (!again.due) { queue.at(name, again.at); return again.outcome; }
      return await order(name, lock, again.meta, signal);
    } finally {
      await storage.unlock(lock).catch(() => undefined);
    }
  };

  const ensure = (name: string): Promise<EnsureOutcome> => {
    const inFlight = running.get(name);
    if (inFlight) return inFlight;
    const ctl = active;
    if (!ctl || ctl.signal.aborted) return Promise.resolve('inactive');
    const p = ensureLocked(name, ctl.signal).catch((err: unknown) => {
      if (ctl.signal.aborted) return 'inactive' as const;
      log.warn('certificate check failed; retrying later', { name, err });
      queue.at(name, now() + opts.lockWaitMs);
      return 'busy' as const;
    }).finally(() => { running.delete(name); pump(); });
    running.set(name, p);
    return p;
  };

  function pump(): void {
    if (!active) return;
    for (const name of [...pending]) {
      if (running.size >= opts.concurrency) return;
      pending.delete(name);
      if (wanted.has(name)) void ensure(name);
    }
  }

  return {
    setNames(names) {
      const next = new Set(names);
      for (const n of wanted) if (!next.has(n)) { wanted.delete(n); queue.remove(n); pending.delete(n); }
      for (const n of next) if (!wanted.has(n)) { wanted.add(n); pending.add(n); }
      pump();
    },
    start() {
      if (active) return;
      active = new AbortController();
      for (const n of wanted) pending.add(n);
      pump();
    },
    async stop() {
      const ctl = active;
      active = undefined;
      ctl?.abort();
      queue.clear();
      pending.clear();
      await Promise.allSettled([...running.values()]);
    },
    ensure,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
