// The client-facing listeners. HTTP/1.x, plain or over TLS, is served by our own connection
// handling (src/dataplane/http1/): strict head parsing (smuggling attempts get 400), header size
// limit (431), head and request deadlines (slowloris, 408), pipelining, and one socket write per
// small response, which node:http's server does not manage. HTTPS: the certificate is picked by
// the ClientHello's server name before the handshake starts (tls/tls-accept.ts), and by ALPN h2
// connections go to node:http2 (stream limits, rapid-reset caps), the rest to the HTTP/1 handling.
import { createServer as createH2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import { Server as NetServer, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { ClientRequest, ClientResponse } from './client-response.ts';
import { closeAfterSessionEnds } from './h2-close.ts';
import type { Http1Request } from './http1/connection.ts';
import { Http1ConnectionSet } from './http1/connection-set.ts';
import { secureContextOptions, type SniLookup } from './tls/sni-contexts.ts';
import { acceptTls, type CertificateChoice, type TlsAcceptOptions } from './tls/tls-accept.ts';
import type { TlsRouting } from './tls/server-name-routing.ts';
import { directFront, type ConnectionFront } from './proxy-protocol/front.ts';

export interface ListenerLimits {
  readonly maxHeaderBytes: number;
  /** Time allowed for the whole request head (slowloris). */
  readonly headersTimeoutMs: number;
  /** Time allowed for the whole request, body included; 0 disables. */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly h2MaxConcurrentStreams: number;
  /** --enable-underscores-in-headers=false: request header fields with an underscore in their name are dropped, over HTTP/1 and HTTP/2. */
  readonly dropUnderscoreFields?: boolean;
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

/** A listener whose clients can be moved elsewhere (drain) and whose idle connections closed at shutdown. */
export interface DrainableServer extends NetServer {
  /** The drain period began: each connection ends after its next answer (HTTP/1), or gets GOAWAY (HTTP/2). */
  drain(): void;
  closeIdleConnections(): void;
}

/** CONNECT streams on HTTP/2, extended CONNECT (RFC 8441) for WebSocket among them. */
export type H2ConnectHandler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

export interface ListenerHandlers {
  readonly request: RequestHandler;
  readonly upgrade: UpgradeHandler;
  readonly connect: H2ConnectHandler;
}

export class H2StreamResetError extends Error {
  readonly code = 'H2_STREAM_RESET';
}

/**
 * The body of an HTTP/2 request, or null when it has none. node:http2's compatibility request ends
 * cleanly when the client resets the stream mid-body, so the upstream would get a truncated body
 * as complete: fail it instead. The no-op listener keeps a reset that comes before the upstream
 * request reads the body from becoming an uncaught error; the reader still sees it.
 */
function h2RequestBody(req: Http2ServerRequest): Readable | null {
  if (req.stream.endAfterHeaders) return null;
  req.once('aborted', () => { req.destroy(new H2StreamResetError('the client reset the stream before the body ended')); });
  req.on('error', () => undefined);
  return req;
}

/** As the HTTP/1 parser does (request-head.ts): node:http2 has already read them, so they are removed. */
function dropUnderscoreFields(headers: Http2ServerRequest['headers']): void {
  for (const name of Object.keys(headers)) if (name.includes('_')) Reflect.deleteProperty(headers, name);
}

/** node:http2 for connections handed over (by ALPN, or by the h2c preface): limits, sessions for GOAWAY. */
class H2Sessions {
  private readonly server: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  private draining = false;

  constructor(handlers: ListenerHandlers, limits: ListenerLimits) {
    this.server = createH2Server({
      maxSessionInvalidFrames: 100,
      maxSessionRejectedStreams: 100,
      settings: { maxConcurrentStreams: limits.h2MaxConcurrentStreams, maxHeaderListSize: limits.maxHeaderBytes, enableConnectProtocol: true },
    }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
      if (limits.dropUnderscoreFields === true) dropUnderscoreFields(req.headers);
      handlers.request(req, res, h2RequestBody(req));
    });
    this.server.on('connect', (req: Http2ServerRequest, res: Http2ServerResponse) => {
      if (limits.dropUnderscoreFields === true) dropUnderscoreFields(req.headers);
      handlers.connect(req, res);
    });
    this.server.setTimeout(limits.keepAliveTimeoutMs);
    this.server.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      // A session opened during the drain serves its first stream, then goes away like the rest;
      // a GOAWAY before any stream would refuse the request the client is already sending.
      if (this.draining) session.once('stream', () => { session.close(); });
    });
  }

  adopt(socket: Socket): void {
    closeAfterSessionEnds(socket);
    this.server.emit('connection', socket);
  }

  /** The drain period: GOAWAY to every session (streams in flight finish; clients open new connections). */
  drain(): void {
    this.draining = true;
    this.closeAll();
  }

  /** GOAWAY to every session; streams in flight finish. */
  closeAll(): void {
    for (const session of this.sessions) session.close();
  }
}

/** `h2c`: where connections opening with the HTTP/2 preface go (plain listener only). */
function http1Connections(handlers: ListenerHandlers, limits: ListenerLimits, hooks: ListenerHooks, h2c?: H2Sessions): Http1ConnectionSet {
  return new Http1ConnectionSet(limits, {
    request: handlers.request, upgrade: handlers.upgrade, clientError: hooks.onClientError,
    ...(h2c ? { h2c: (socket: Socket) => { h2c.adopt(socket); } } : {}),
  });
}

class Http1Server extends NetServer implements DrainableServer {
  private readonly http1: Http1ConnectionSet;
  private readonly h2: H2Sessions | undefined;
  private readonly front: ConnectionFront;

  constructor(handlers: ListenerHandlers, limits: ListenerLimits, hooks: ListenerHooks, h2c: boolean, front: ConnectionFront) {
    super({ noDelay: true });
    const h2 = h2c ? new H2Sessions(handlers, limits) : undefined;
    this.h2 = h2;
    this.front = front;
    const connections = http1Connections(handlers, limits, hooks, h2);
    this.http1 = connections;
    this.on('connection', (socket: Socket) => { front.accept(socket, (s) => { connections.adopt(s); }); });
    this.on('close', () => { connections.stop(); });
  }

  drain(): void {
    this.http1.drain();
    this.h2?.drain();
  }

  closeIdleConnections(): void {
    this.front.closeWaiting();
    this.http1.closeIdle();
    this.h2?.closeAll();
  }
}

/**
 * `h2c`: also serve HTTP/2 to clients that open with its preface (prior knowledge, e.g. gRPC).
 * `front`: what each connection goes through first (the PROXY protocol, proxy-protocol/front.ts).
 */
export function createHttpListener(handlers: ListenerHandlers, limits: ListenerLimits, hooks: ListenerHooks, h2c: boolean, front: ConnectionFront = directFront): DrainableServer {
  const server = new Http1Server(handlers, limits, hooks, h2c, front);
  trackConnections(server, 'connection', hooks);
  return server;
}

export interface TlsListenerOptions {
  readonly defaultCertPem: string;
  readonly defaultKeyPem: string;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string | undefined;
  /** Context for a server name; otherwise the default certificate, or a refused handshake when strict. */
  readonly lookup: SniLookup;
  readonly sniStrict: boolean;
  readonly onHandshakeError: (code: string) => void;
  readonly onCertificateChoice: (choice: CertificateChoice) => void;
  /** nginx ssl-passthrough and Gateway API TLSRoutes: connections routed by server name, not answered with HTTP. */
  readonly routing?: TlsRouting;
}

/**
 * The HTTPS listener: a TCP server whose connections pick their certificate from the ClientHello
 * (tls-accept.ts) and, by ALPN, go to node:http2 or to the HTTP/1 connection handling.
 */
class TlsFrontServer extends NetServer implements DrainableServer {
  private readonly http1: Http1ConnectionSet;
  private readonly h2: H2Sessions;
  /** Connections still in their handshake: nothing of a request yet, so idle at shutdown. */
  private readonly handshaking = new Set<Socket>();

  constructor(tls: TlsListenerOptions, handlers: ListenerHandlers, limits: ListenerLimits, hooks: ListenerHooks, front: ConnectionFront) {
    super({ noDelay: true });
    const h2 = new H2Sessions(handlers, limits);
    const http1 = http1Connections(handlers, limits, hooks);
    this.h2 = h2;
    this.http1 = http1;
    const accept: TlsAcceptOptions = {
      defaultContext: createSecureContext(secureContextOptions(tls, { certPem: tls.defaultCertPem, keyPem: tls.defaultKeyPem })),
      lookup: tls.lookup, sniStrict: tls.sniStrict, alpnProtocols: ['h2', 'http/1.1'], handshakeTimeoutMs: limits.headersTimeoutMs,
      onChoice: tls.onCertificateChoice, onHandshakeError: tls.onHandshakeError,
      ...(tls.routing === undefined ? {} : { routeHello: tls.routing.routeHello }),
    };
    // `handshaking` holds connections from their acceptance, while their PROXY header is awaited too.
    this.on('connection', (accepted: Socket) => {
      this.handshaking.add(accepted);
      accepted.once('close', () => this.handshaking.delete(accepted));
      front.accept(accepted, (raw) => {
        acceptTls(raw, accept, (socket: TLSSocket, stream) => {
          this.handshaking.delete(raw);
          front.carryPeer(raw, socket);
          this.emit('secureConnection', socket);
          if (stream !== undefined) tls.routing?.relayTerminated(socket, stream);
          else if (socket.alpnProtocol === 'h2') h2.adopt(socket);
          else http1.adopt(socket);
        });
      });
    });
    this.on('close', () => { http1.stop(); });
  }

  drain(): void {
    this.http1.drain();
    this.h2.drain();
  }

  /** HTTP/1 keep-alive connections close; HTTP/2 sessions get GOAWAY and finish their streams. */
  closeIdleConnections(): void {
    for (const raw of this.handshaking) raw.destroy();
    this.http1.closeIdle();
    this.h2.closeAll();
  }
}

export function createHttpsListener(
  handlers: ListenerHandlers, limits: ListenerLimits, tls: TlsListenerOptions, hooks: ListenerHooks, front: ConnectionFront = directFront,
): DrainableServer {
  const server = new TlsFrontServer(tls, handlers, limits, hooks, front);
  trackConnections(server, 'secureConnection', hooks);
  return server;
}

/** Counts `server`'s open connections in the hooks (bollard_active_connections). */
export function trackConnections(server: NetServer, event: 'connection' | 'secureConnection', hooks: ListenerHooks): void {
  server.on(event, (socket: Socket) => {
    hooks.onConnection(1);
    socket.once('close', () => { hooks.onConnection(-1); });
  });
}
