// The key layout of ACME state in storage (documented in docs/acme.md). One key per certificate,
// per private key and per piece of metadata — never one blob — so a write touches one name only
// and a watch delivers exactly what changed. Names are lower-case DNS names ("*.a.example" too).
import { createHash } from 'node:crypto';

export const CERTIFICATES = 'certificates';
export const CHALLENGES_HTTP01 = 'challenges/http-01';

const segment = (s: string): string => encodeURIComponent(s.toLowerCase());

export const certificateKeys = (name: string): { readonly cert: string; readonly key: string; readonly meta: string } => {
  const dir = `${CERTIFICATES}/${segment(name)}`;
  return { cert: `${dir}/cert.pem`, key: `${dir}/key.pem`, meta: `${dir}/meta.json` };
};

/** The in-flight order of a name, so a new leader resumes it instead of ordering again. */
export const orderKeys = (name: string): { readonly dir: string; readonly order: string; readonly key: string } => {
  const dir = `orders/${segment(name)}`;
  return { dir, order: `${dir}/order.json`, key: `${dir}/key.pem` };
};

export const backoffKey = (name: string): string => `backoff/${segment(name)}`;

/** Account state per ACME directory and email: a host-readable part plus a digest of the full URL. */
export const accountKeys = (directoryUrl: string, email: string): { readonly account: string; readonly key: string } => {
  const host = URL.canParse(directoryUrl) ? new URL(directoryUrl).host : 'directory';
  const digest = createHash('sha256').update(directoryUrl).digest('hex').slice(0, 12);
  const dir = `accounts/${segment(host)}-${digest}/${segment(email === '' ? 'no-email' : email)}`;
  return { account: `${dir}/account.json`, key: `${dir}/key.pem` };
};

export const challengeKey = (token: string): string => `${CHALLENGES_HTTP01}/${encodeURIComponent(token)}`;

/** The name a certificates/<name>/<file> key belongs to, or undefined for other keys. */
export function certificateNameOf(key: string): { readonly name: string; readonly file: string } | undefined {
  const m = /^certificates\/([^/]+)\/([^/]+)$/.exec(key);
  if (!m?.[1] || !m[2]) return undefined;
  return { name: decodeURIComponent(m[1]), file: m[2] };
}

/** The token of a challenges/http-01/<token> key. */
export function challengeTokenOf(key: string): string | undefined {
  const prefix = `${CHALLENGES_HTTP01}/`;
  return key.startsWith(prefix) ? decodeURIComponent(key.slice(prefix.length)) : undefined;
}

export const lockNameForCertificate = (name: string): string => `certificate/${name.toLowerCase()}`;
export const lockNameForAccount = (directoryUrl: string, email: string): string => `account/${accountKeys(directoryUrl, email).account}`;
