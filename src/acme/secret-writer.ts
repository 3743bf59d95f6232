// Writes one ACME certificate into its spec.tls Secret: created when absent, updated when Bollard
// manages it (label app.kubernetes.io/managed-by=bollard) and its content differs, refused when a
// Secret of that name exists without the label — Bollard never overwrites what it did not write.
// Updates carry the resourceVersion they were computed from (optimistic concurrency).
import { X509Certificate } from 'node:crypto';
import { KubeApiError, type Json, type KubeClient } from '../kube/client.ts';
import {
  CERTIFICATE_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TLS_SECRET_TYPE, managedSecretOf, pairDigest, type ManagedSecret,
} from './managed-secrets.ts';
import type { SecretTarget } from './secret-plan.ts';

export interface CertificatePair {
  readonly certPem: string;
  readonly keyPem: string;
}

export type SecretWrite =
  | { readonly outcome: 'unchanged' | 'created' | 'updated' }
  | { readonly outcome: 'unmanaged'; readonly detail: string };

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function annotations(name: string, certPem: string): Record<string, string> {
  const leaf = new X509Certificate(certPem);
  return { [CERTIFICATE_ANNOTATION]: name, 'bollard.io/acme-serial': leaf.serialNumber, 'bollard.io/acme-not-after': new Date(leaf.validTo).toISOString() };
}

const secretPath = (t: SecretTarget, named = true): string =>
  `/api/v1/namespaces/${encodeURIComponent(t.secret.namespace)}/secrets${named ? `/${encodeURIComponent(t.secret.name)}` : ''}`;

function body(t: SecretTarget, pair: CertificatePair): Json {
  return {
    apiVersion: 'v1', kind: 'Secret', type: TLS_SECRET_TYPE,
    metadata: { name: t.secret.name, namespace: t.secret.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: annotations(t.name, pair.certPem) },
    data: { 'tls.crt': b64(pair.certPem), 'tls.key': b64(pair.keyPem) },
  };
}

async function update(client: KubeClient, t: SecretTarget, pair: CertificatePair, resourceVersion: string): Promise<SecretWrite> {
  await client.request('PATCH', secretPath(t), {
    metadata: { resourceVersion, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: annotations(t.name, pair.certPem) },
    data: { 'tls.crt': b64(pair.certPem), 'tls.key': b64(pair.keyPem) },
  });
  return { outcome: 'updated' };
}

/** The Secret exists although we did not know it as ours: take it only if it carries the label. */
async function adopt(client: KubeClient, t: SecretTarget, pair: CertificatePair, digest: string): Promise<SecretWrite> {
  const raw = await client.request('GET', secretPath(t));
  const managed = managedSecretOf(raw);
  if (!managed) {
    const type = typeof raw.type === 'string' ? raw.type : 'unknown';
    return { outcome: 'unmanaged', detail: `Secret ${t.secret.namespace}/${t.secret.name} (type ${type}) exists without the label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` };
  }
  return managed.digest === digest ? { outcome: 'unchanged' } : update(client, t, pair, managed.resourceVersion);
}

async function create(client: KubeClient, t: SecretTarget, pair: CertificatePair, digest: string): Promise<SecretWrite> {
  try {
    await client.request('POST', secretPath(t, false), body(t, pair));
    return { outcome: 'created' };
  } catch (err: unknown) {
    if (err instanceof KubeApiError && err.status === 409) return adopt(client, t, pair, digest);
    throw err;
  }
}

/**
 * Brings the Secret of `t` to `pair`. `managed` is what the label watch knows of it; `exists` is
 * true when the cluster snapshot holds a kubernetes.io/tls Secret of that name.
 * Rejects with KubeApiError on API errors (409 when the Secret changed meanwhile: try again).
 */
export async function writeTlsSecret(client: KubeClient, t: SecretTarget, pair: CertificatePair, known: { managed?: ManagedSecret; exists: boolean }): Promise<SecretWrite> {
  const digest = pairDigest(pair.certPem, pair.keyPem);
  if (known.managed) {
    if (known.managed.digest === digest) return { outcome: 'unchanged' };
    try {
      return await update(client, t, pair, known.managed.resourceVersion);
    } catch (err: unknown) {
      if (err instanceof KubeApiError && err.status === 404) return create(client, t, pair, digest);
      throw err;
    }
  }
  // The snapshot may see a Secret we just wrote before the label watch does: ask the API server.
  return known.exists ? adopt(client, t, pair, digest) : create(client, t, pair, digest);
}
