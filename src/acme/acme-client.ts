// The ACME client library (acme-client) behind one small seam: its HTTP goes through a module-wide
// axios instance, so trusting a private CA (Pebble, an internal ACME server) is process-wide.
import { Agent, request as httpsRequest } from 'node:https';
import * as acme from 'acme-client';

export type AcmeClient = acme.Client;
export type AcmeOrder = acme.Order;

/** Key types of certificate private keys (the AcmeIssuer's spec.keyType). */
export const KEY_TYPES = ['ECDSA-P256', 'ECDSA-P384', 'RSA-2048', 'RSA-3072', 'RSA-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** External account binding (RFC 8555 §7.3.4): the CA's key identifier and base64url HMAC key. */
export interface ExternalAccountBinding {
  readonly kid: string;
  readonly hmacKey: string;
}

/** Trusts `caPem` (in addition to nothing else) for the ACME directory's TLS. Process-wide. */
export function trustAcmeDirectoryCa(caPem: string): void {
  acme.axios.defaults.httpsAgent = new Agent({ ca: caPem, keepAlive: true });
}

export interface AcmeClientOptions {
  readonly directoryUrl: string;
  readonly accountKeyPem: string;
  readonly accountUrl?: string;
  readonly externalAccountBinding?: ExternalAccountBinding;
  /** Polling of pending orders and challenges starts at this delay (acme-client's backoffMin). */
  readonly pollMinMs?: number;
}

export function createAcmeClient(o: AcmeClientOptions): AcmeClient {
  return new acme.Client({
    directoryUrl: o.directoryUrl,
    accountKey: o.accountKeyPem,
    ...(o.accountUrl === undefined ? {} : { accountUrl: o.accountUrl }),
    ...(o.externalAccountBinding === undefined ? {} : { externalAccountBinding: { ...o.externalAccountBinding } }),
    backoffMin: o.pollMinMs ?? 1000,
    backoffMax: Math.max(o.pollMinMs ?? 1000, 10_000),
    backoffAttempts: 12,
  });
}

/** A new private key of `keyType` (account keys are always ECDSA P-256), as PEM. */
export async function newPrivateKeyPem(keyType: KeyType = 'ECDSA-P256'): Promise<string> {
  switch (keyType) {
    case 'ECDSA-P256': return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    case 'ECDSA-P384': return (await acme.crypto.createPrivateEcdsaKey('P-384')).toString();
    case 'RSA-2048': return (await acme.crypto.createPrivateRsaKey(2048)).toString();
    case 'RSA-3072': return (await acme.crypto.createPrivateRsaKey(3072)).toString();
    case 'RSA-4096': return (await acme.crypto.createPrivateRsaKey(4096)).toString();
  }
}

export async function createCsrPem(name: string, keyPem: string): Promise<string> {
  const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] }, keyPem);
  return csr.toString();
}

export interface DirectoryResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One GET of the directory with the CA trust of trustAcmeDirectoryCa, without acme-client's
 * retries (which wait over a minute for a server that does not answer): for the issuer check.
 */
export function fetchDirectory(directoryUrl: string, timeoutMs: number): Promise<DirectoryResponse> {
  const agent = acme.axios.defaults.httpsAgent as Agent | undefined;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(directoryUrl, { timeout: timeoutMs, headers: { accept: 'application/json' }, ...(agent ? { agent } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('error', reject).on('end', () => {
        let body: unknown;
        try { body = JSON.parse(text); } catch { body = text; }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject).on('timeout', () => { req.destroy(new Error(`no answer within ${timeoutMs} ms`)); }).end();
  });
}
