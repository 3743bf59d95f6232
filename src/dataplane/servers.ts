// The client-facing listeners. HTTP/1.x, plain or over TLS, is served by our own connection
// handling (src/dataplane/http1/): strict head parsing (smuggling attempts get 400), header size
// limit (431), head and request deadlines (slowloris, 408), pipelining, and one socket write per
// small response, which node:http's server does not manage. HTTPS: a TLS server picks the
// certificate by SNI from the routing table and, by ALPN, hands h2 connections to node:http2
// (stream limits, rapid-reset caps) and everything else to the HTTP/1 connection handling.
import { createServer as createH2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import { Server as NetServer, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Server as TlsServer, type SecureContext, type TLSSocket } from 'node:tls';
import type { ClientRequest, ClientResponse } from './client-response.ts';
import type { Http1Request } from './http1/connection.ts';
import { Http1ConnectionSet } from './http1/connection-set.ts';

export interface ListenerLimits {
  readonly maxHeaderBytes: number;
  /** Time allowed for the whole request head (slowloris). */
  readonly headersTimeoutMs: number;
  /** Time allowed for the whole request, body included; 0 disables. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly h2MaxConcurrentStreams: number;
}

export const defaultListenerLimits: ListenerLimits = {
  maxHeaderBytes: 32 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 75_000,
  h2MaxConcurrentStreams: 128,
};

/** `body` is null when the request has none. */
export type RequestHandler = (req: ClientRequest, res: ClientResponse, body: Readable | null) => void;
export type UpgradeHandler = (req: Http1Request, socket: Socket, head: Buffer) => void;

export interface ListenerHooks {
  readonly onConnection: (delta: 1 | -1) => void;
  readonly onClientError: (code: string) => void;
}

/** A listener whose idle keep-alive connections can be closed at shutdown. */
export interface DrainableServer extends NetServer {
  closeIdleConnections(): void;
}

class Http1Server extends NetServer implements DrainableServer {
  private readonly http1: Http1ConnectionSet;

  constructor(connections: Http1ConnectionSet) {
    super({ noDelay: true });
    this.http1 = connections;
    this.on('connection', (socket: Socket) => { connections.adopt(socket); });
    this.on('close', () => { connections.stop(); });
  }

  closeIdleConnections(): void {
    this.http1.closeIdle();
  }
}

function http1Connections(handler: RequestHandler, upgrade: UpgradeHandler, limits: ListenerLimits, hooks: ListenerHooks): Http1ConnectionSet {
  return new Http1ConnectionSet(limits, { request: handler, upgrade, clientError: hooks.onClientError });
}

export function createHttpListener(handler: RequestHandler, upgrade: UpgradeHandler, limits: ListenerLimits, hooks: ListenerHooks): DrainableServer {
  const server = new Http1Server(http1Connections(handler, upgrade, limits, hooks));
  trackConnections(server, 'connection', hooks);
  return server;
}

export interface TlsListenerOptions {
  readonly defaultCertPem: string;
  readonly defaultKeyPem: string;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string | undefined;
  /** Context for a server name; undefined → default certificate, or a failed handshake when strict. */
  readonly lookup: (servername: string) => SecureContext | undefined;
  readonly sniStrict: boolean;
  readonly onHandshakeError: (code: string) => void;
}

class TlsFrontServer extends TlsServer implements DrainableServer {
  private readonly http1: Http1ConnectionSet;
  private readonly h2: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();

  constructor(options: ConstructorParameters<typeof TlsServer>[0], http1: Http1ConnectionSet, h2: Http2Server) {
    super(options);
    this.http1 = http1;
    this.h2 = h2;
    this.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2') h2.emit('connection', socket);
      else http1.adopt(socket);
    });
    h2.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      this.emit('session', session);
    });
    this.on('close', () => { http1.stop(); });
  }

  /** HTTP/1 keep-alive connections close; HTTP/2 sessions get GOAWAY and finish their streams. */
  closeIdleConnections(): void {
    this.http1.closeIdle();
    for (const session of this.sessions) session.close();
  }
}

/** CONNECT streams on HTTP/2, extended CONNECT (RFC 8441) for WebSocket among them. */
export type H2ConnectHandler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

export function createHttpsListener(handler: RequestHandler, upgrade: UpgradeHandler, limits: ListenerLimits, tls: TlsListenerOptions, hooks: ListenerHooks, connect: H2ConnectHandler): DrainableServer {
  const h2 = createH2Server({
    maxSessionInvalidFrames: 100,
    maxSessionRejectedStreams: 100,
    settings: { maxConcurrentStreams: limits.h2MaxConcurrentStreams, maxHeaderListSize: limits.maxHeaderBytes, enableConnectProtocol: true },
  }, (req: Http2ServerRequest, res: Http2ServerResponse) => { handler(req, res, req.stream.endAfterHeaders ? null : req); });
  h2.on('connect', connect);
  h2.setTimeout(limits.keepAliveTimeoutMs);
  const server = new TlsFrontServer({
    cert: tls.defaultCertPem,
    key: tls.defaultKeyPem,
    minVersion: tls.minVersion,
    ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
    ALPNProtocols: ['h2', 'http/1.1'],
    SNICallback: (servername, cb) => {
      const ctx = tls.lookup(servername.toLowerCase());
      if (ctx === undefined && tls.sniStrict) cb(new Error(`no certificate for ${servername}`));
      else cb(null, ctx);
    },
  }, http1Connections(handler, upgrade, limits, hooks), h2);
  trackConnections(server, 'secureConnection', hooks);
  server.on('tlsClientError', (err: NodeJS.ErrnoException) => { tls.onHandshakeError(err.code ?? 'unknown'); });
  return server;
}

function trackConnections(server: NetServer, event: 'connection' | 'secureConnection', hooks: ListenerHooks): void {
  server.on(event, (socket: Socket) => {
    hooks.onConnection(1);
    socket.once('close', () => { hooks.onConnection(-1); });
  });
}
