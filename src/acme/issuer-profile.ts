// What the issuer orders with: directory, account contact, EAB, key type and challenge solver —
// from the flags (the default issuer) or resolved from an AcmeIssuer's spec and the Secrets it
// names. verifyIssuer() checks it against the CA before anything is ordered: the directory must
// answer as an ACME directory, and the account must exist or be registered.
import type { KubeClient } from '../kube/client.ts';
import { KubeApiError } from '../kube/client.ts';
import { loadOrCreateAccount } from './account.ts';
import { fetchDirectory, type ExternalAccountBinding, type KeyType } from './acme-client.ts';
import type { Dns01Provider } from './dns01.ts';
import { AcmeIssuerError, errorText } from './errors.ts';
import type { IssuerSpec, Rfc2136Settings, SecretKeyRef } from './issuer-spec.ts';
import type { Storage } from './storage.ts';

export interface IssuerProfile {
  /** "flags" or "AcmeIssuer/<name>", for logs. */
  readonly source: string;
  readonly directoryUrl: string;
  readonly email: string;
  readonly keyType: KeyType;
  readonly externalAccountBinding?: ExternalAccountBinding;
  readonly challenge: 'http-01' | 'dns-01';
  /** With dns-01. */
  readonly dns01?: Dns01Provider;
}

export const flagsProfile = (directoryUrl: string, email: string): IssuerProfile => ({
  source: 'flags', directoryUrl, email, keyType: 'ECDSA-P256', challenge: 'http-01',
});

/** Data of a Secret (decoded), or undefined when it does not exist. */
export type SecretReader = (namespace: string, name: string) => Promise<Readonly<Record<string, Buffer>> | undefined>;

export function kubeSecretReader(client: KubeClient): SecretReader {
  return async (namespace, name) => {
    try {
      const secret = await client.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`);
      const data = (secret.data ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(data).flatMap(([k, v]) => (typeof v === 'string' ? [[k, Buffer.from(v, 'base64')]] : [])));
    } catch (err: unknown) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  };
}

/** Builds the DNS-01 provider of an issuer from its settings and the TSIG secret. */
export type Dns01Factory = (settings: Rfc2136Settings & { readonly propagationTimeoutSeconds: number }, tsigSecret: Buffer) => Dns01Provider;

async function secretValue(read: SecretReader, ref: SecretKeyRef, what: string): Promise<Buffer> {
  let data: Readonly<Record<string, Buffer>> | undefined;
  try {
    data = await read(ref.namespace, ref.name);
  } catch (err: unknown) {
    throw new AcmeIssuerError('SecretNotFound', `cannot read the ${what} Secret ${ref.namespace}/${ref.name}: ${errorText(err)}`);
  }
  if (!data) throw new AcmeIssuerError('SecretNotFound', `the ${what} Secret ${ref.namespace}/${ref.name} does not exist`);
  const value = data[ref.key];
  if (!value || value.length === 0) throw new AcmeIssuerError('SecretNotFound', `the ${what} Secret ${ref.namespace}/${ref.name} has no key "${ref.key}"`);
  return value;
}

export async function resolveProfile(name: string, spec: IssuerSpec, read: SecretReader, dns01Factory?: Dns01Factory): Promise<IssuerProfile> {
  const base = { source: `AcmeIssuer/${name}`, directoryUrl: spec.directoryUrl, email: spec.email, keyType: spec.keyType };
  const eabRef = spec.externalAccountBinding;
  const eab = eabRef
    ? { kid: eabRef.keyId, hmacKey: (await secretValue(read, eabRef.hmacKeySecretRef, 'external account binding')).toString('utf8').trim() }
    : undefined;
  const withEab = eab ? { ...base, externalAccountBinding: eab } : base;
  if (spec.challenge.type === 'http-01') return { ...withEab, challenge: 'http-01' };
  if (!dns01Factory) throw new AcmeIssuerError('ChallengeUnsupported', 'dns-01 is not available in this build');
  const settings = { ...spec.challenge.rfc2136, propagationTimeoutSeconds: spec.challenge.propagationTimeoutSeconds };
  const tsig = await secretValue(read, settings.tsigSecretRef, 'TSIG');
  return { ...withEab, challenge: 'dns-01', dns01: dns01Factory(settings, Buffer.from(tsig.toString('utf8').trim(), 'base64')) };
}

const isDirectory = (body: unknown): boolean => {
  if (typeof body !== 'object' || body === null) return false;
  const d = body as Record<string, unknown>;
  return ['newNonce', 'newAccount', 'newOrder'].every((k) => typeof d[k] === 'string');
};

/** The directory answers 200 with newNonce, newAccount and newOrder; else DirectoryUnreachable or DirectoryInvalid. */
export async function checkDirectory(directoryUrl: string, timeoutMs: number): Promise<void> {
  let res: Awaited<ReturnType<typeof fetchDirectory>>;
  try {
    res = await fetchDirectory(directoryUrl, timeoutMs);
  } catch (err: unknown) {
    throw new AcmeIssuerError('DirectoryUnreachable', `the ACME directory ${directoryUrl} is unreachable: ${errorText(err)}`);
  }
  if (res.status !== 200) throw new AcmeIssuerError('DirectoryInvalid', `the ACME directory ${directoryUrl} answered HTTP ${res.status}`);
  if (!isDirectory(res.body)) throw new AcmeIssuerError('DirectoryInvalid', `${directoryUrl} is not an ACME directory (no newNonce, newAccount and newOrder)`);
}

/** Checks the directory, then loads or registers the account; resolves with the account URL. */
export async function verifyIssuer(storage: Storage, profile: IssuerProfile, o: { timeoutMs: number; pollMinMs?: number; signal?: AbortSignal }): Promise<string> {
  await checkDirectory(profile.directoryUrl, o.timeoutMs);
  const client = await loadOrCreateAccount(storage, {
    directoryUrl: profile.directoryUrl, email: profile.email, pollMinMs: o.pollMinMs,
    ...(profile.externalAccountBinding ? { externalAccountBinding: profile.externalAccountBinding } : {}),
  }, o.signal);
  return client.getAccountUrl();
}
