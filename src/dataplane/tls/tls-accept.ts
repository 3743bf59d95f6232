// Accepting one TLS connection: read the ClientHello off the TCP socket, choose the certificate's
// context by its server name, then hand the socket (its bytes put back) to a server-side
// TLSSocket built with exactly that context. No SNICallback and no context swap mid-handshake, so
// every key type (RSA, ECDSA, Ed25519) is served on TLS 1.2 and 1.3 alike (see client-hello.ts).
// A Gateway listener with client-certificate validation asks for a certificate on its own
// connections only, and (AllowValidOnly) refuses one that does not verify against its CAs.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { ClientHelloReader, type HelloInspection } from './client-hello.ts';
import { clientCertificateProblem, clientCertificateVerdict } from './client-certificate.ts';
import { recordHandshake } from './handshake-record.ts';
import type { ServerContext, SniLookup } from './sni-contexts.ts';
import type { LocalEnd } from '../../routing/match.ts';
import type { HelloRouter } from './server-name-routing.ts';
import type { Route } from '../../routing/types.ts';

/** How the certificate for a connection was chosen; labels bollard_tls_handshakes_total. */
export type CertificateChoice = 'sni' | 'default_no_sni' | 'default_unknown_name' | 'default_certificate_error' | 'default_unreadable_hello';

export interface TlsAcceptOptions {
  readonly defaultContext: SecureContext;
  /** The context for a lower-case server name: `failed` when its certificate could not be loaded. */
  readonly lookup: SniLookup;
  /** Refuse (alert unrecognized_name) a name no certificate covers, instead of the default certificate. */
  readonly sniStrict: boolean;
  readonly alpnProtocols: readonly string[];
  /** Time allowed from accepting the connection to a finished handshake. */
  readonly handshakeTimeoutMs: number;
  readonly onChoice: (choice: CertificateChoice) => void;
  readonly onHandshakeError: (code: string) => void;
  /**
   * nginx ssl-passthrough and Gateway API TLSRoutes (server-name-routing.ts): may take the connection, by
   * its server name, before any TLS code runs, or ask for its plain bytes to go to a backend.
   */
  readonly routeHello?: HelloRouter;
}

/** TLS alert record: fatal (2), unrecognized_name (112) — RFC 8446 §6.2. */
const UNRECOGNIZED_NAME_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70]);

/**
 * Runs the handshake on `raw`; `secured` gets the TLS socket once it is established, with the
 * TLSRoute (Terminate) whose backend takes its plain bytes, or undefined for HTTP.
 */
export function acceptTls(raw: Socket, options: TlsAcceptOptions, secured: Secured): void {
  const reader = new ClientHelloReader();
  const timer = setTimeout(() => {
    options.onHandshakeError('ERR_TLS_HANDSHAKE_TIMEOUT');
    raw.destroy();
  }, options.handshakeTimeoutMs);
  const onData = (chunk: Buffer): void => {
    const hello = reader.push(chunk);
    if (hello === undefined) return;
    raw.off('data', onData);
    raw.pause();
    // An unreadable hello has no server name, but a port of TLS listeners only still refuses it.
    const servername = hello.kind === 'unreadable' ? undefined : hello.servername;
    const verdict = options.routeHello === undefined ? 'http' : options.routeHello(servername, raw, reader.bytes());
    if (verdict === 'taken') {
      clearTimeout(timer);
      return;
    }
    const chosen = chooseContext(hello, options, raw);
    if (chosen === undefined) {
      clearTimeout(timer);
      options.onHandshakeError('ERR_SNI_UNRECOGNIZED_NAME');
      raw.end(UNRECOGNIZED_NAME_ALERT);
      return;
    }
    raw.unshift(reader.bytes());
    const stream = verdict === 'http' ? undefined : verdict.stream;
    handshake(raw, chosen, hello.kind === 'unreadable' ? undefined : hello.servername, { options, timer, secured, stream });
  };
  raw.on('data', onData);
  raw.on('error', () => { /* 'close' follows */ });
  raw.once('close', () => { clearTimeout(timer); });
}

function chooseContext(hello: HelloInspection, options: TlsAcceptOptions, connection: LocalEnd): ServerContext | undefined {
  const byDefault = { context: options.defaultContext };
  if (hello.kind === 'unreadable') {
    options.onChoice('default_unreadable_hello');
    return byDefault;
  }
  if (hello.servername === undefined) {
    options.onChoice('default_no_sni');
    return byDefault;
  }
  const context = options.lookup(hello.servername, connection);
  if (context !== undefined && context !== 'failed') {
    options.onChoice('sni');
    return context;
  }
  if (options.sniStrict) return undefined;
  options.onChoice(context === 'failed' ? 'default_certificate_error' : 'default_unknown_name');
  return byDefault;
}

type Secured = (socket: TLSSocket, stream: Route | undefined) => void;

interface Handshaking {
  readonly options: TlsAcceptOptions;
  readonly timer: NodeJS.Timeout;
  readonly secured: Secured;
  /** A TLSRoute (Terminate): no ALPN is offered, the plain bytes are not HTTP. */
  readonly stream: Route | undefined;
}

function handshake(raw: Socket, chosen: ServerContext, servername: string | undefined, { options, timer, secured, stream }: Handshaking): void {
  const validation = chosen.entry?.clientValidation;
  const required = validation?.mode === 'AllowValidOnly';
  // TLSSocket reads the bytes put back on `raw` before its own reads (_tls_wrap's _init).
  // requestCert asks for a client certificate; rejectUnauthorized makes OpenSSL refuse a handshake without one.
  const socket = new TLSSocket(raw, {
    isServer: true, secureContext: chosen.context, ALPNProtocols: stream === undefined ? [...options.alpnProtocols] : [], requestCert: validation !== undefined, rejectUnauthorized: required,
  });
  const onError = (err: NodeJS.ErrnoException): void => {
    clearTimeout(timer);
    options.onHandshakeError(err.code ?? 'unknown');
    socket.destroy();
  };
  socket.once('error', onError);
  socket.once('secure', () => {
    clearTimeout(timer);
    socket.off('error', onError);
    const refused = required ? clientCertificateProblem(socket) : undefined;
    if (refused !== undefined) {
      options.onHandshakeError(refused);
      socket.destroy();
      return;
    }
    const client = validation === undefined ? undefined : clientCertificateVerdict(socket, validation);
    recordHandshake(socket, { servername, entry: chosen.entry, extra: chosen.extra === true, ...(client === undefined ? {} : { client }) });
    // tls.Server clears this for its own sockets; node:http2 waits for it to be false before it
    // starts a session on the socket.
    Object.assign(socket, { secureConnecting: false });
    secured(socket, stream);
  });
}
