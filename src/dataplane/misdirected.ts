// HTTP 421 Misdirected Request (RFC 9110 §15.5.20) on HTTPS. A client may send requests for
// several names over one connection (HTTP/2 coalescing when the certificate covers them, or a
// Host that differs from the SNI by hand), but Gateway API listeners are chosen by SNI in the
// handshake: their certificate and their client-certificate validation. A request whose Host
// belongs to another listener than the handshake's is answered 421, so the client opens a
// connection of its own for that name, and no request reaches a listener that requires a client
// certificate over a handshake that did not verify one.
import { lookupCertificate } from '../routing/match.ts';
import type { TlsCertificate, TlsTable } from '../routing/types.ts';
import { sameClientValidation } from '../routing/client-validation.ts';
import type { HandshakeRecord } from './tls/handshake-record.ts';

/** Whether a request for `host` (normalised) must not be served on the connection of `record`. */
export function misdirected(tls: TlsTable, record: HandshakeRecord | undefined, host: string): boolean {
  if (record === undefined) return false;
  const named = lookupCertificate(tls, host);
  const chosen = record.entry;
  // The name the handshake was for (or none sent): only the validation it ran can fall short. An
  // ACME certificate for the name answered before the host-less listener, which then is not its.
  if (record.servername === host && record.extra) return requiresValidation(named);
  const target = named ?? tls.anyHost;
  if (record.servername === undefined || record.servername === host) return requiresValidation(target) && !sameValidation(chosen, target);
  return !sameListener(chosen, target) || !sameValidation(chosen, target);
}

/** Ingress certificates (and none) count as one: between them nothing changes. */
function sameListener(a: TlsCertificate | undefined, b: TlsCertificate | undefined): boolean {
  return a?.gatewayListener === b?.gatewayListener;
}

function requiresValidation(entry: TlsCertificate | undefined): boolean {
  return entry?.clientValidation?.mode === 'AllowValidOnly';
}

function sameValidation(a: TlsCertificate | undefined, b: TlsCertificate | undefined): boolean {
  return sameClientValidation(a?.clientValidation, b?.clientValidation);
}
