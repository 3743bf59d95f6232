// The ACME client library (acme-client) behind one small seam: its HTTP goes through a module-wide
// axios instance, so trusting a private CA (Pebble, an internal ACME server) is process-wide.
import { Agent } from 'node:https';
import * as acme from 'acme-client';

export type AcmeClient = acme.Client;
export type AcmeOrder = acme.Order;

/** Trusts `caPem` (in addition to nothing else) for the ACME directory's TLS. Process-wide. */
export function trustAcmeDirectoryCa(caPem: string): void {
  acme.axios.defaults.httpsAgent = new Agent({ ca: caPem, keepAlive: true });
}

export interface AcmeClientOptions {
  readonly directoryUrl: string;
  readonly accountKeyPem: string;
  readonly accountUrl?: string;
  /** Polling of pending orders and challenges starts at this delay (acme-client's backoffMin). */
  readonly pollMinMs?: number;
}

export function createAcmeClient(o: AcmeClientOptions): AcmeClient {
  return new acme.Client({
    directoryUrl: o.directoryUrl,
    accountKey: o.accountKeyPem,
    ...(o.accountUrl === undefined ? {} : { accountUrl: o.accountUrl }),
    backoffMin: o.pollMinMs ?? 1000,
    backoffMax: Math.max(o.pollMinMs ?? 1000, 10_000),
    backoffAttempts: 12,
  });
}

export const newPrivateKeyPem = async (): Promise<string> => (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();

export async function createCsrPem(name: string, keyPem: string): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] }, keyPem);
  return csr.toString();
}
