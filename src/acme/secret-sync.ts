// The leader's mirror of ACME certificates into spec.tls Secrets (level-based, like a controller's
// reconcile): every pass compares each planned Secret with the certificate served from etcd and
// writes what differs. Passes run one at a time, again when something changed meanwhile
// (certificate, snapshot, a managed Secret), and after a back-off when a write failed. Problems —
// a Secret Bollard does not manage, a Secret shared by several hosts — become one Event each.
import type { IngressEvent } from '../kube/events.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../log/logger.ts';
import type { ObjectRef } from '../snapshot/model.ts';
import type { CertificateSource } from './certificate-store.ts';
import type { Timers } from './due-queue.ts';
import { errorText } from './errors.ts';
import type { ManagedSecrets } from './managed-secrets.ts';
import type { SecretPlan, SecretTarget } from './secret-plan.ts';
import { writeTlsSecret } from './secret-writer.ts';

export interface SecretSyncDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly managed: ManagedSecrets;
  readonly certificates: CertificateSource;
  /** The current plan (from the latest snapshot and wanted names). */
  readonly plan: () => SecretPlan;
  /** True when the snapshot holds a kubernetes.io/tls Secret of that name. */
  readonly exists: (namespace: string, name: string) => boolean;
  readonly onEvent: (ingresses: readonly ObjectRef[], event: IngressEvent) => void;
  readonly timers: Timers;
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
}

export interface SecretSync {
  /** Something changed: run a pass (now, or after the running one). */
  kick(): void;
  /** Leader: passes run from now on. */
  start(): void;
  /** Not leader (or shutdown): passes stop; waits for the running one. */
  stop(): Promise<void>;
  /** Resolves when no pass runs or is due at once. */
  idle(): Promise<void>;
}

export function createSecretSync(deps: SecretSyncDeps): SecretSync {
  const { log } = deps;
  const reported = new Map<string, string>();
  let active = false;
  let running: Promise<void> | undefined;
  let dirty = false;
  let failures = 0;
  let cancelRetry: (() => void) | undefined;

  const reportOnce = (key: string, ingresses: readonly ObjectRef[], event: IngressEvent): void => {
    if (reported.get(key) === event.message) return;
    reported.set(key, event.message);
    log.warn('ACME certificate not written to its Secret', { secret: key, reason: event.reason, message: event.message });
    deps.onEvent(ingresses, event);
  };

  const syncOne = async (t: SecretTarget): Promise<void> => {
    const key = `${t.secret.namespace}/${t.secret.name}`;
    const served = deps.certificates.lookup(t.name);
    if (served?.name !== t.name) return;
    const managed = deps.managed.get(key);
    const known = { exists: deps.exists(t.secret.namespace, t.secret.name), ...(managed ? { managed } : {}) };
    const result = await writeTlsSecret(deps.client, t, served, known);
    if (result.outcome === 'unmanaged') {
      reportOnce(key, t.ingresses, { type: 'Warning', reason: 'AcmeSecretNotManaged', message: `${result.detail}; Bollard does not overwrite it. The certificate for ${t.name} is served from etcd; delete the Secret or name another one to have it written.` });
      return;
    }
    reported.delete(key);
    if (result.outcome !== 'unchanged') log.info(`TLS Secret ${result.outcome}`, { secret: key, name: t.name });
  };

  const pass = async (): Promise<boolean> => {
    const plan = deps.plan();
    for (const s of plan.shared) {
      const key = `${s.secret.namespace}/${s.secret.name}`;
      reportOnce(key, s.ingresses, { type: 'Warning', reason: 'AcmeSecretShared', message: `Secret ${key} is named for several hosts (${s.hosts.join(', ')}); ACME certificates are per host, so it is not written. The hosts are served from etcd.` });
    }
    let ok = true;
    for (const t of plan.targets) {
      if (!active) break;
      try {
        await syncOne(t);
      } catch (err: unknown) {
        ok = false;
        log.warn('writing a TLS Secret failed; retrying', { secret: `${t.secret.namespace}/${t.secret.name}`, err: errorText(err) });
      }
    }
    return ok;
  };

  const retryLater = (): void => {
    failures += 1;
    const delay = Math.min(deps.retry.maxMs, deps.retry.baseMs * 2 ** Math.min(failures - 1, 16));
    cancelRetry?.();
    cancelRetry = deps.timers.after(delay, () => { cancelRetry = undefined; kick(); });
  };

  const loop = async (): Promise<void> => {
    while (active && dirty) {
      dirty = false;
      if (await pass()) failures = 0;
      else retryLater();
    }
  };

  function kick(): void {
    dirty = true;
    if (!active || running) return;
    running = loop().catch((err: unknown) => { log.warn('TLS Secret sync failed', { err: errorText(err) }); }).finally(() => { running = undefined; });
  }

  return {
    kick,
    start() {
      active = true;
      reported.clear();
      kick();
    },
    async stop() {
      active = false;
      cancelRetry?.();
      cancelRetry = undefined;
      await running;
    },
    async idle() {
      while (running) await running;
    },
  };
}
