// What a TLS connection's handshake chose, kept on its socket for the requests that follow: the
// server name the client sent and the table entry whose certificate (and client-certificate
// validation) answered, and the verdict on the client's certificate when one was asked for.
// misdirected.ts compares each request's Host against it; nginx auth-tls middlewares read the verdict. A symbol property
// rather than a WeakMap, because HTTP/2 requests see their socket through node:http2's proxy,
// which forwards property reads to the socket but is not the socket itself.
import type { TLSSocket } from 'node:tls';
import type { TlsCertificate } from '../../routing/types.ts';
import type { ClientCertificateVerdict } from './client-certificate.ts';

const RECORD = Symbol('bollard.handshake');

export interface HandshakeRecord {
  /** The ClientHello's server name, lower-case; undefined when none was sent. */
  readonly servername: string | undefined;
  /** The table's certificate that answered; undefined for the default or an ACME certificate. */
  readonly entry: TlsCertificate | undefined;
  /** An ACME certificate answered (looked up after the table's names, before its host-less listener). */
  readonly extra: boolean;
  /** Set when the entry's validation asked for a client certificate: what came of it (nginx auth-tls reads it per request). */
  readonly client?: ClientCertificateVerdict;
}

export function recordHandshake(socket: TLSSocket, record: HandshakeRecord): void {
  Object.defineProperty(socket, RECORD, { value: record });
}

/** The record of the connection a request arrived on; undefined for plain HTTP. */
export function handshakeOf(connection: object | null | undefined): HandshakeRecord | undefined {
  if (connection === null || connection === undefined) return undefined;
  const value: unknown = Reflect.get(connection, RECORD);
  return value === undefined ? undefined : value as HandshakeRecord;
}
