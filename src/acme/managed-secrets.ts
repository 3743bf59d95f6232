// The TLS Secrets Bollard wrote, known by their label (app.kubernetes.io/managed-by=bollard): a
// list+watch per watched namespace (or one for all) keeps, for each, its resourceVersion and a
// digest of its certificate and key. Names selection keeps their hosts ACME's; the Secret writer
// updates them and never touches a Secret without the label.
import { createHash } from 'node:crypto';
import type { Json, KubeClient } from '../kube/client.ts';
import { runInformer } from '../kube/informer.ts';
import type { Logger } from '../log/logger.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'bollard';
/** Annotation: the ACME certificate name the Secret holds. */
export const CERTIFICATE_ANNOTATION = 'bollard.io/acme-certificate';
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface ManagedSecret {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string;
  /** sha256 of tls.crt and tls.key as stored. */
  readonly digest: string;
}

export interface ManagedSecrets {
  get(key: string): ManagedSecret | undefined;
  /** namespace/name of every managed Secret. */
  keys(): ReadonlySet<string>;
  onChange(fn: () => void): void;
  /** Resolves once every list has been read. */
  readonly synced: Promise<void>;
  readonly done: Promise<void>;
}

export const pairDigest = (certPem: string, keyPem: string): string =>
  createHash('sha256').update(certPem).update('\0').update(keyPem).digest('hex');

export function managedSecretOf(raw: Json): ManagedSecret | undefined {
  const meta = (raw.metadata ?? {}) as { namespace?: string; name?: string; resourceVersion?: string; labels?: Record<string, string> };
  if (meta.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || raw.type !== TLS_SECRET_TYPE) return undefined;
  if (meta.namespace === undefined || meta.name === undefined) return undefined;
  const data = (raw.data ?? {}) as Record<string, unknown>;
  const text = (k: string): string => (typeof data[k] === 'string' ? Buffer.from(data[k], 'base64').toString('utf8') : '');
  return { namespace: meta.namespace, name: meta.name, resourceVersion: meta.resourceVersion ?? '', digest: pairDigest(text('tls.crt'), text('tls.key')) };
}

const keyOf = (s: { namespace: string; name: string }): string => `${s.namespace}/${s.name}`;

export function watchManagedSecrets(deps: { client: KubeClient; log: Logger }, namespaces: readonly string[], signal: AbortSignal): ManagedSecrets {
  const byKey = new Map<string, ManagedSecret>();
  const listeners: (() => void)[] = [];
  const changed = (): void => { for (const fn of listeners) fn(); };
  const query = { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`, fieldSelector: `type=${TLS_SECRET_TYPE}` };
  const paths = namespaces.length === 0 ? ['/api/v1/secrets'] : namespaces.map((ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets`);
  const syncs: Promise<void>[] = [];
  const runs = paths.map((path) => {
    const own = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
    const { promise, resolve } = Promise.withResolvers<undefined>();
    syncs.push(promise);
    return runInformer({
      client: deps.client, path, query, log: deps.log, onSynced: () => { resolve(undefined); },
      sink: {
        replace(items) {
          for (const k of [...byKey.keys()]) if (own === undefined || k.startsWith(`${decodeURIComponent(own)}/`)) byKey.delete(k);
          for (const item of items) { const s = managedSecretOf(item); if (s) byKey.set(keyOf(s), s); }
          changed();
        },
        upsert(item) {
          const s = managedSecretOf(item);
          const meta = (item.metadata ?? {}) as { namespace?: string; name?: string };
          if (s) byKey.set(keyOf(s), s);
          else byKey.delete(`${meta.namespace ?? ''}/${meta.name ?? ''}`);
          changed();
        },
        remove(item) {
          const meta = (item.metadata ?? {}) as { namespace?: string; name?: string };
          byKey.delete(`${meta.namespace ?? ''}/${meta.name ?? ''}`);
          changed();
        },
      },
    }, signal);
  });
  return {
    get: (key) => byKey.get(key),
    keys: () => new Set(byKey.keys()),
    onChange(fn) { listeners.push(fn); },
    synced: Promise.all(syncs).then(() => undefined),
    done: Promise.all(runs).then(() => undefined),
  };
}
