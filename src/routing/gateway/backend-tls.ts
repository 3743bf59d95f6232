// The upstream TLS of a Gateway route's backend: the governing BackendTLSPolicy (backend-tls-policies.ts)
// compiled into the same UpstreamTls the nginx proxy-ssl-* annotations use — verified against the
// policy's CAs, its hostname as SNI and verified name (or its subjectAltNames), and the client
// certificate of the route's Gateway (backend-client-certificate.ts).
import { createHash } from 'node:crypto';
import type { GatewayObject } from '../../snapshot/gateway-model.ts';
import type { UpstreamTls } from '../types.ts';
import type { BackendClientCertificate } from './backend-client-certificate.ts';
import type { BackendTlsPolicies, PolicyValidation } from './backend-tls-policies.ts';

export interface BackendTlsContext {
  /** The policies (only their lookup: the build may record the lookups). */
  readonly policies: Pick<BackendTlsPolicies, 'governing'>;
  readonly clientCertificates: ReadonlyMap<GatewayObject, BackendClientCertificate>;
  /** One UpstreamTls per key within a build. */
  readonly interned: Map<string, UpstreamTls>;
}

/** No policy: plain; a usable one: its TLS; one that cannot be used: every request fails (500), as the spec asks. */
export type BackendTlsChoice = { readonly kind: 'plain' } | { readonly kind: 'tls'; readonly tls: UpstreamTls } | { readonly kind: 'fail' };

const PLAIN: BackendTlsChoice = { kind: 'plain' };
const FAIL: BackendTlsChoice = { kind: 'fail' };

/** @param gateways the Gateways the route is served through, sorted by namespace/name: the first with a client certificate lends it. */
export function backendTlsFor(
  ctx: BackendTlsContext, namespace: string, service: string, portName: string | undefined, gateways: readonly GatewayObject[],
): BackendTlsChoice {
  const policy = ctx.policies.governing(namespace, service, portName, gateways);
  if (policy === undefined) return PLAIN;
  if (policy.validation === undefined) return FAIL;
  const client = gateways.map((g) => ctx.clientCertificates.get(g)?.certificate).find((c) => c !== undefined);
  return { kind: 'tls', tls: upstreamTls(ctx, policy.validation, client) };
}

function upstreamTls(ctx: BackendTlsContext, v: PolicyValidation, client: { readonly certPem: string; readonly keyPem: string } | undefined): UpstreamTls {
  const settings = {
    verify: true, verifyDepth: undefined, serverName: v.hostname, sendServerName: true,
    ...(v.subjectAltNames.length === 0 ? {} : { subjectAltNames: v.subjectAltNames }),
    ciphers: undefined, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3',
    clientCertPem: client?.certPem, clientKeyPem: client?.keyPem, caPem: v.caPem,
  } as const;
  const key = `policy-${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 24)}`;
  const found = ctx.interned.get(key);
  if (found !== undefined) return found;
  const made: UpstreamTls = { key, ...settings };
  ctx.interned.set(key, made);
  return made;
}
