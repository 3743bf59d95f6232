// The ACME account per directory URL and email, kept in storage so every leader uses the same
// one: loaded when present, otherwise created under a lock (check → lock → check again), so two
// replicas never register two accounts. A CA that refuses the registration (invalid contact,
// missing or wrong external account binding) is an AcmeIssuerError: the issuer is not ready.
import { createAcmeClient, newPrivateKeyPem, type AcmeClient, type ExternalAccountBinding } from './acme-client.ts';
import { AcmeIssuerError, NotFoundError, errorText } from './errors.ts';
import { accountKeys, lockNameForAccount } from './keys.ts';
import type { Storage } from './storage.ts';

export interface AccountOptions {
  readonly directoryUrl: string;
  readonly email: string;
  /** Sent with the registration only (RFC 8555 §7.3.4); a stored account is used as it is. */
  readonly externalAccountBinding?: ExternalAccountBinding;
  readonly pollMinMs?: number;
}

interface AccountRecord {
  readonly url: string;
  readonly email: string;
  readonly directoryUrl: string;
}

async function load(storage: Storage, o: AccountOptions): Promise<AcmeClient | undefined> {
  const keys = accountKeys(o.directoryUrl, o.email);
  try {
    const [key, record] = await Promise.all([storage.load(keys.key), storage.load(keys.account)]);
    const { url } = JSON.parse(record.toString('utf8')) as AccountRecord;
    return createAcmeClient({ directoryUrl: o.directoryUrl, accountKeyPem: key.toString(), accountUrl: url, pollMinMs: o.pollMinMs });
  } catch (err: unknown) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function register(o: AccountOptions, keyPem: string): Promise<AcmeClient> {
  const client = createAcmeClient({
    directoryUrl: o.directoryUrl, accountKeyPem: keyPem, pollMinMs: o.pollMinMs,
    ...(o.externalAccountBinding ? { externalAccountBinding: o.externalAccountBinding } : {}),
  });
  try {
    await client.createAccount({ termsOfServiceAgreed: true, ...(o.email === '' ? {} : { contact: [`mailto:${o.email}`] }) });
  } catch (err: unknown) {
    throw new AcmeIssuerError('AccountRegistrationFailed', `the CA refused to register an account for ${o.email === '' ? 'no contact' : o.email}: ${errorText(err)}`);
  }
  return client;
}

export async function loadOrCreateAccount(storage: Storage, o: AccountOptions, signal?: AbortSignal): Promise<AcmeClient> {
  const existing = await load(storage, o);
  if (existing) return existing;
  const lock = await storage.lock(lockNameForAccount(o.directoryUrl, o.email), signal);
  try {
    const again = await load(storage, o);
    if (again) return again;
    const keyPem = await newPrivateKeyPem();
    const client = await register(o, keyPem);
    const keys = accountKeys(o.directoryUrl, o.email);
    const record: AccountRecord = { url: client.getAccountUrl(), email: o.email, directoryUrl: o.directoryUrl };
    await storage.store(keys.key, keyPem, { fence: lock });
    await storage.store(keys.account, JSON.stringify(record), { fence: lock });
    return client;
  } finally {
    await storage.unlock(lock);
  }
}
