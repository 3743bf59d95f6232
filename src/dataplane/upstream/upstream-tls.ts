// A route's UpstreamTls (nginx proxy-ssl-*, BackendTLSPolicy) as node:tls connect options for its
// dispatchers. The chain is verified by OpenSSL against the configured CAs (or Node's roots without
// them); the name (or the policy's subjectAltNames) and the depth are checked by
// checkServerIdentity, which node:tls calls with the verified chain.
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';
import { buildConnector } from 'undici';
import type { UpstreamTls } from '../../routing/types.ts';
import { matchesSubjectAltName, parseSubjectAltNames } from './subject-alt-names.ts';

export class UpstreamChainTooDeepError extends Error {
  readonly code = 'ERR_UPSTREAM_CHAIN_TOO_DEEP';
}

export class UpstreamSubjectAltNameError extends Error {
  readonly code = 'ERR_UPSTREAM_SUBJECT_ALT_NAME';
}

/**
 * A connector that sends proxy-ssl-name as SNI only with proxy-ssl-server-name, as nginx does:
 * undici would otherwise send each request's Host header.
 */
export function upstreamTlsConnector(tls: UpstreamTls, base: { readonly timeout: number; readonly allowH2: boolean }): buildConnector.connector {
  const connector = buildConnector({ ...base, ...upstreamTlsConnectOptions(tls) });
  return (options, callback) => { connector({ ...options, servername: tls.sendServerName ? tls.serverName : undefined }, callback); };
}

function upstreamTlsConnectOptions(tls: UpstreamTls): ConnectionOptions {
  return {
    rejectUnauthorized: tls.verify,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    ...(tls.sendServerName ? { servername: tls.serverName } : {}),
    ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
    ...(tls.caPem === undefined ? {} : { ca: tls.caPem }),
    ...(tls.clientCertPem === undefined || tls.clientKeyPem === undefined ? {} : { cert: tls.clientCertPem, key: tls.clientKeyPem }),
    ...(tls.verify ? { checkServerIdentity: (_host: string, cert: PeerCertificate) => verifyPeer(tls, cert) } : {}),
  };
}

/**
 * The name of proxy-ssl-name or the policy's hostname (not the address dialled) — or one of the
 * policy's subjectAltNames instead — and at most verifyDepth certificates above the peer's.
 */
function verifyPeer(tls: UpstreamTls, cert: PeerCertificate): Error | undefined {
  const wrongName = tls.subjectAltNames === undefined || tls.subjectAltNames.length === 0
    ? checkServerIdentity(tls.serverName, cert)
    : wrongSubjectAltName(tls.subjectAltNames, cert);
  if (wrongName !== undefined) return wrongName;
  if (tls.verifyDepth === undefined) return undefined;
  const above = chainAbove(cert as DetailedPeerCertificate);
  return above > tls.verifyDepth ? new UpstreamChainTooDeepError(`the upstream's chain has ${above} certificates above its own; proxy-ssl-verify-depth allows ${tls.verifyDepth}`) : undefined;
}

function wrongSubjectAltName(wanted: readonly string[], cert: PeerCertificate): Error | undefined {
  // Absent at runtime on a certificate without the extension, whatever the type says.
  const text = (cert as { subjectaltname?: string }).subjectaltname ?? '';
  if (matchesSubjectAltName(parseSubjectAltNames(text), wanted)) return undefined;
  return new UpstreamSubjectAltNameError(`the upstream's certificate names none of ${wanted.join(', ')}`);
}

/** Issuers above the peer's certificate, up to the self-signed root (node:tls links a root to itself). */
function chainAbove(cert: DetailedPeerCertificate): number {
  const MAX = 100;
  let count = 0;
  let at = cert;
  while (count < MAX) {
    const issuer = issuerOf(at);
    if (issuer === undefined || issuer === at || issuer.fingerprint256 === at.fingerprint256) break;
    at = issuer;
    count += 1;
  }
  return count;
}

/** Absent at runtime when node:tls could not complete the chain, whatever the type says. */
function issuerOf(cert: DetailedPeerCertificate): DetailedPeerCertificate | undefined {
  return cert.issuerCertificate;
}
