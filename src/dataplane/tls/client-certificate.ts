// The verdict on a client certificate that a Gateway listener's frontend validation asked for.
// A standalone server TLSSocket (tls-accept.ts builds them, to pick the context by SNI first) gets
// OpenSSL's verdict but does not act on it: Node's tls.Server checks it after the handshake
// (`_handle.verifyError()`, then destroys the socket). OpenSSL itself refuses a connection that
// sends no certificate; a certificate that does not verify is refused here, the same way.
import type { TLSSocket } from 'node:tls';

interface VerifyingHandle {
  verifyError?: () => (Error & { code?: string }) | null | undefined;
}

/** Why the client's certificate is refused (an OpenSSL verify code), or undefined when it verified. */
export function clientCertificateProblem(socket: TLSSocket): string | undefined {
  if (socket.getPeerX509Certificate() === undefined) return 'ERR_TLS_NO_CLIENT_CERTIFICATE';
  const handle = (socket as unknown as { _handle?: VerifyingHandle | null })._handle;
  // Fail closed: without Node's verdict nothing proves the certificate valid.
  if (typeof handle?.verifyError !== 'function') return 'ERR_TLS_CLIENT_CERTIFICATE_UNVERIFIABLE';
  const error = handle.verifyError();
  return error === null || error === undefined ? undefined : error.code ?? 'ERR_TLS_CLIENT_CERTIFICATE_INVALID';
}
