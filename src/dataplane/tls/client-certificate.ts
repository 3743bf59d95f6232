// The verdict on a client certificate a host's validation asked for. A standalone server TLSSocket
// (tls-accept.ts builds them, to pick the context by SNI first) gets OpenSSL's verdict but does not
// act on it: Node's tls.Server checks it after the handshake (`_handle.verifyError()`, then
// destroys the socket). OpenSSL itself refuses a connection that sends no certificate only when
// told to (Gateway AllowValidOnly); a certificate that does not verify is refused here, the same
// way — or, for nginx auth-tls, recorded as nginx's $ssl_client_verify for the routes to judge.
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { ClientCertificateValidation } from '../../routing/types.ts';

interface VerifyingHandle {
  verifyError?: () => (Error & { code?: string }) | null | undefined;
}

/** What the handshake established about the client's certificate, as nginx names it. */
export interface ClientCertificateVerdict {
  /** nginx's $ssl_client_verify: SUCCESS, NONE (none sent), or FAILED: and OpenSSL's reason. */
  readonly verify: string;
  /** The client's certificate, verified or not; undefined when none was sent. */
  readonly certificate: X509Certificate | undefined;
}

/** Why the client's certificate is refused (an OpenSSL verify code), or undefined when it verified. */
export function clientCertificateProblem(socket: TLSSocket): string | undefined {
  if (socket.getPeerX509Certificate() === undefined) return 'ERR_TLS_NO_CLIENT_CERTIFICATE';
  const error = verifyErrorOf(socket);
  return error === undefined ? undefined : error.code ?? 'ERR_TLS_CLIENT_CERTIFICATE_INVALID';
}

/** The verdict for `validation`: OpenSSL's, then the chain's depth (nginx's ssl_verify_depth). */
export function clientCertificateVerdict(socket: TLSSocket, validation: ClientCertificateValidation): ClientCertificateVerdict {
  // The detailed form first: once getPeerX509Certificate() has run, node:tls no longer links the issuers.
  const detailed = socket.getPeerCertificate(true) as Partial<DetailedPeerCertificate>;
  if (detailed.raw === undefined) return { verify: 'NONE', certificate: undefined };
  const certificate = new X509Certificate(detailed.raw);
  const error = verifyErrorOf(socket);
  if (error !== undefined) return { verify: `FAILED:${error.message}`, certificate };
  const depth = validation.verifyDepth;
  if (depth !== undefined && chainAbove(detailed as DetailedPeerCertificate) > depth) return { verify: 'FAILED:certificate chain too long', certificate };
  return { verify: 'SUCCESS', certificate };
}

/** Node's verdict; fail closed: without it nothing proves the certificate valid. */
function verifyErrorOf(socket: TLSSocket): (Error & { code?: string }) | undefined {
  const handle = (socket as unknown as { _handle?: VerifyingHandle | null })._handle;
  if (typeof handle?.verifyError !== 'function') return Object.assign(new Error('the verification result is unavailable'), { code: 'ERR_TLS_CLIENT_CERTIFICATE_UNVERIFIABLE' });
  return handle.verifyError() ?? undefined;
}

/** Issuers above the client's certificate up to the self-signed root (node:tls links a root to itself). */
function chainAbove(cert: DetailedPeerCertificate): number {
  const MAX = 100;
  let count = 0;
  let at = cert;
  while (count <= MAX) {
    // Absent at runtime when node:tls could not complete the chain, whatever the type says.
    const issuer = at.issuerCertificate as DetailedPeerCertificate | undefined;
    if (issuer === undefined || issuer === at || issuer.fingerprint256 === at.fingerprint256) break;
    at = issuer;
    count += 1;
  }
  return count;
}
