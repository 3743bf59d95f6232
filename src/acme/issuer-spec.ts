// The AcmeIssuer's spec (crds/acmeissuers.bollard.io.yaml), read into a typed value. The API
// server validates it already (OpenAPI + CEL); the same rules are checked here because a cluster
// may run an older copy of the CRD, and an invalid issuer must be reported, never half-used.
import { z } from 'zod';
import { KEY_TYPES, type KeyType } from './acme-client.ts';

export const ACME_ISSUER_API = '/apis/bollard.io/v1alpha1/acmeissuers';

export interface SecretKeyRef {
  readonly namespace: string;
  readonly name: string;
  readonly key: string;
}

export interface Rfc2136Settings {
  /** host:port of the authoritative server that takes updates. */
  readonly nameserver: string;
  /** '' means found by an SOA lookup. */
  readonly zone: string;
  readonly tsigKeyName: string;
  readonly tsigAlgorithm: 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';
  readonly tsigSecretRef: SecretKeyRef;
  readonly ttlSeconds: number;
}

export type ChallengeSpec =
  | { readonly type: 'http-01' }
  | { readonly type: 'dns-01'; readonly propagationTimeoutSeconds: number; readonly rfc2136: Rfc2136Settings };

export interface IssuerSpec {
  readonly directoryUrl: string;
  readonly email: string;
  readonly keyType: KeyType;
  readonly externalAccountBinding?: { readonly keyId: string; readonly hmacKeySecretRef: SecretKeyRef };
  readonly challenge: ChallengeSpec;
}

// The CRD's CEL rules, mirrored.
const directory = z.string().max(2048).refine((s) => URL.canParse(s) && new URL(s).protocol === 'https:' && new URL(s).hostname !== '', 'directory must be an https:// URL, such as https://acme-v02.api.letsencrypt.org/directory');
const email = z.string().max(254).regex(/^[^@\s]+@[^@\s]+\.[^@\s.]+$/, 'email must be an address such as admin@example.com');
const nameserver = z.string().regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):[0-9]{1,5}$/, 'nameserver must be host:port');
const secretRef = (defaultKey: string) => z.object({ name: z.string().min(1), namespace: z.string().min(1), key: z.string().default(defaultKey) });

const rfc2136 = z.object({
  nameserver, zone: z.string().default(''), tsigKeyName: z.string().min(1),
  tsigAlgorithm: z.enum(['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512']).default('hmac-sha256'),
  tsigSecretRef: secretRef('secret'), ttlSeconds: z.number().int().min(1).max(86_400).default(60),
});

const challenge = z.object({
  type: z.enum(['http-01', 'dns-01']).default('http-01'),
  dns01: z.object({ provider: z.literal('rfc2136'), propagationTimeoutSeconds: z.number().int().min(1).max(3600).default(120), rfc2136: rfc2136.optional() }).optional(),
}).default({ type: 'http-01' });

const specSchema = z.object({
  directory, email, keyType: z.enum(KEY_TYPES).default('ECDSA-P256'),
  externalAccountBinding: z.object({ keyID: z.string().min(1), hmacKeySecretRef: secretRef('hmacKey') }).optional(),
  challenge,
});

export type SpecResult = { readonly ok: true; readonly spec: IssuerSpec } | { readonly ok: false; readonly message: string };

function challengeOf(c: z.infer<typeof challenge>): ChallengeSpec | string {
  if (c.type === 'http-01') return c.dns01 ? 'challenge.dns01 is only used with challenge type dns-01' : { type: 'http-01' };
  if (!c.dns01) return 'challenge type dns-01 needs challenge.dns01 settings';
  if (!c.dns01.rfc2136) return 'provider rfc2136 needs dns01.rfc2136 settings';
  return { type: 'dns-01', propagationTimeoutSeconds: c.dns01.propagationTimeoutSeconds, rfc2136: c.dns01.rfc2136 };
}

/** The spec of an AcmeIssuer object, or what is wrong with it (one line per problem). */
export function parseIssuerSpec(raw: unknown): SpecResult {
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  const s = parsed.data;
  const c = challengeOf(s.challenge);
  if (typeof c === 'string') return { ok: false, message: `spec.challenge: ${c}` };
  const eab = s.externalAccountBinding;
  return {
    ok: true,
    spec: {
      directoryUrl: s.directory, email: s.email, keyType: s.keyType, challenge: c,
      ...(eab ? { externalAccountBinding: { keyId: eab.keyID, hmacKeySecretRef: eab.hmacKeySecretRef } } : {}),
    },
  };
}
