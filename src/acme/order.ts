// One ACME order for one name, resumable: the order URL and the certificate's private key are
// stored (fenced by the name's lock) as soon as the order exists, so when the leader dies
// mid-order the next lock holder continues the same order instead of placing a second one. Each
// call to the CA is fenced (fence.ts): a holder whose lock or lease is gone stops at once.
import type { Challenge } from 'acme-client/types/rfc8555.js';
import { createCsrPem, newPrivateKeyPem, type AcmeClient, type AcmeOrder, type KeyType } from './acme-client.ts';
import { AcmeOrderError, FencedError, LockLostError, NotFoundError, errorText } from './errors.ts';
import { fenced } from './fence.ts';
import type { Http01Record } from './http01-challenges.ts';
import { orderKeys } from './keys.ts';
import type { LockHandle, Storage } from './storage.ts';

export interface Http01Publisher {
  publish(token: string, record: Http01Record): Promise<void>;
  withdraw(token: string): Promise<void>;
}

/** Proves control of a name with one challenge type: http-01 through storage, dns-01 through a DNS provider. */
export interface ChallengeSolver {
  readonly type: 'http-01' | 'dns-01';
  /**
   * Makes `keyAuthorization` (for dns-01 already the TXT value) visible to the CA for the
   * identifier `name` (without "*."); resolves with the step that removes it.
   */
  present(name: string, token: string, keyAuthorization: string): Promise<() => Promise<void>>;
}

export function http01Solver(publisher: Http01Publisher): ChallengeSolver {
  return {
    type: 'http-01',
    async present(name, token, keyAuthorization) {
      await publisher.publish(token, { keyAuthorization, name });
      return () => publisher.withdraw(token);
    },
  };
}

export interface OrderDeps {
  readonly client: AcmeClient;
  readonly storage: Storage;
  readonly lock: LockHandle;
  readonly solver: ChallengeSolver;
  readonly now: () => number;
  /** Key type of a new certificate key (a resumed order keeps its stored key). */
  readonly keyType?: KeyType;
}

export interface ObtainedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** True when an order stored by an earlier holder was continued. */
  readonly resumed: boolean;
}

interface StoredOrder {
  readonly url: string;
  readonly name: string;
  readonly createdAt: string;
}

const FINISHED = new Set(['valid']);
const FAILED = new Set(['invalid', 'expired', 'revoked', 'deactivated']);

async function resume(name: string, d: OrderDeps): Promise<{ order: AcmeOrder; keyPem: string } | undefined> {
  const keys = orderKeys(name);
  let stored: StoredOrder;
  let keyPem: string;
  try {
    stored = JSON.parse((await d.storage.load(keys.order)).toString('utf8')) as StoredOrder;
    keyPem = (await d.storage.load(keys.key)).toString();
  } catch (err: unknown) {
    if (err instanceof NotFoundError || err instanceof SyntaxError) return undefined;
    throw err;
  }
  const order = await fenced(d.lock, 'resuming the order', () => d.client.getOrder({ url: stored.url } as AcmeOrder)).catch((err: unknown) => {
    if (err instanceof LockLostError) throw err;
    return undefined;
  });
  if (!order || FAILED.has(order.status)) {
    await d.storage.delete(keys.dir, { fence: d.lock });
    return undefined;
  }
  return { order, keyPem };
}

async function place(name: string, d: OrderDeps): Promise<{ order: AcmeOrder; keyPem: string }> {
  const keyPem = await newPrivateKeyPem(d.keyType);
  const order = await fenced(d.lock, 'placing the order', () => d.client.createOrder({ identifiers: [{ type: 'dns', value: name }] }));
  const keys = orderKeys(name);
  const stored: StoredOrder = { url: order.url, name, createdAt: new Date(d.now()).toISOString() };
  await d.storage.store(keys.key, keyPem, { fence: d.lock });
  await d.storage.store(keys.order, JSON.stringify(stored), { fence: d.lock });
  return { order, keyPem };
}

async function solve(d: OrderDeps, name: string, challenge: Challenge): Promise<void> {
  const keyAuthorization = await d.client.getChallengeKeyAuthorization(challenge);
  const cleanup = await d.solver.present(name, challenge.token, keyAuthorization);
  try {
    if (challenge.status === 'pending') await fenced(d.lock, 'completing the challenge', () => d.client.completeChallenge(challenge));
    await fenced(d.lock, 'polling the challenge', () => d.client.waitForValidStatus(challenge));
  } finally {
    await cleanup().catch(() => undefined);
  }
}

async function authorize(order: AcmeOrder, d: OrderDeps): Promise<void> {
  const authorizations = await fenced(d.lock, 'fetching authorizations', () => d.client.getAuthorizations(order));
  await Promise.all(authorizations.filter((a) => a.status !== 'valid').map(async (a) => {
    const challenge = a.challenges.find((c) => c.type === d.solver.type);
    if (!challenge) throw new AcmeOrderError(`no ${d.solver.type} challenge offered for ${a.identifier.value}`, `the CA offered no ${d.solver.type} challenge`);
    await solve(d, a.identifier.value, challenge);
  }));
}

/** Orders (or resumes) a certificate for `name`; the caller holds `deps.lock` throughout. */
export async function obtainCertificate(name: string, d: OrderDeps): Promise<ObtainedCertificate> {
  const resumed = await resume(name, d);
  const started = resumed ?? (await place(name, d));
  const { keyPem } = started;
  let { order } = started;
  try {
    if (order.status === 'pending') await authorize(order, d);
    if (!FINISHED.has(order.status) && order.status !== 'processing') {
      const current = await fenced(d.lock, 'refreshing the order', () => d.client.getOrder(order));
      const csr = await createCsrPem(name, keyPem);
      order = await fenced(d.lock, 'finalizing the order', () => d.client.finalizeOrder(current, csr));
    }
    const ready = order;
    const certPem = await fenced(d.lock, 'downloading the certificate', () => d.client.getCertificate(ready));
    return { certPem, keyPem, resumed: resumed !== undefined };
  } catch (err: unknown) {
    if (err instanceof AcmeOrderError || err instanceof FencedError || err instanceof LockLostError) throw err;
    throw new AcmeOrderError(`order for ${name} failed: ${errorText(err)}`, errorText(err));
  }
}

/** Forgets the stored order of `name` (after success, or when it can never succeed). */
export function forgetOrder(name: string, storage: Storage, lock: LockHandle): Promise<void> {
  return storage.delete(orderKeys(name).dir, { fence: lock });
}
