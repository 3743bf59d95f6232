// The client-facing listeners. HTTP: node:http with header/request timeouts (slowloris) and a
// header size limit; malformed requests (smuggling attempts: Content-Length with
// Transfer-Encoding, duplicate Content-Length, bad chunking) are rejected by Node's strict
// parser and answered 400 here. HTTPS: node:http2 secure server with HTTP/1.1 fallback (ALPN),
// SNI from the routing table, and HTTP/2 stream limits.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';

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

type Handler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;
type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface ListenerHooks {
  readonly onConnection: (delta: 1 | -1) => void;
  readonly onClientError: (code: string) => void;
}

export function createHttpListener(handler: Handler, upgrade: UpgradeHandler, limits: ListenerLimits, hooks: ListenerHooks): Server {
  const server = createHttpServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often the header/request timeouts are checked (Node's default is 30 s).
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(limits.headersTimeoutMs / 2))),
    requireHostHeader: true,
  }, handler);
  server.on('upgrade', upgrade);
  trackConnections(server, 'connection', hooks);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => { answerClientError(err, socket, hooks); });
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

export function createHttpsListener(handler: Handler, upgrade: UpgradeHandler, limits: ListenerLimits, tls: TlsListenerOptions, hooks: ListenerHooks): Http2SecureServer {
  const server = createSecureServer({
    allowHTTP1: true,
    cert: tls.defaultCertPem,
    key: tls.defaultKeyPem,
    minVersion: tls.minVersion,
    ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
    maxSessionInvalidFrames: 100,
    maxSessionRejectedStreams: 100,
    settings: { maxConcurrentStreams: limits.h2MaxConcurrentStreams, maxHeaderListSize: limits.maxHeaderBytes },
    SNICallback: (servername, cb) => {
      const ctx = tls.lookup(servername.toLowerCase());
      if (ctx === undefined && tls.sniStrict) cb(new Error(`no certificate for ${servername}`));
      else cb(null, ctx);
    },
  }, handler);
  server.setTimeout(limits.keepAliveTimeoutMs);
  // The HTTP/1.1 fallback's parser reads this property of the server (there is no option for it).
  (server as Http2SecureServer & { maxHeaderSize?: number }).maxHeaderSize = limits.maxHeaderBytes;
  guardHttp1OverTls(server, limits, hooks);
  server.on('upgrade', upgrade);
  trackConnections(server, 'secureConnection', hooks);
  server.on('tlsClientError', (err: NodeJS.ErrnoException) => { tls.onHandshakeError(err.code ?? 'unknown'); });
  return server;
}

/**
 * Node's header timeout does not reach HTTP/1.1 connections of the HTTP/2 server (ALPN fallback),
 * so it is enforced here: a connection must complete its first request head within
 * headersTimeoutMs, and each following one within the keep-alive time plus headersTimeoutMs.
 * A client that trickles bytes (slowloris) gets 408 and is cut off.
 */
function guardHttp1OverTls(server: Http2SecureServer, limits: ListenerLimits, hooks: ListenerHooks): void {
  const deadlines = new WeakMap<Duplex, NodeJS.Timeout>();
  const arm = (socket: Duplex, ms: number): void => {
    clearTimeout(deadlines.get(socket));
    const timer = setTimeout(() => {
      hooks.onClientError('ERR_HTTP_REQUEST_TIMEOUT');
      socket.end('HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      socket.destroy();
    }, ms);
    timer.unref();
    deadlines.set(socket, timer);
  };
  server.on('secureConnection', (socket: Duplex & { alpnProtocol?: string | false }) => {
    if (socket.alpnProtocol === 'h2') return;
    arm(socket, limits.headersTimeoutMs);
    socket.once('close', () => { clearTimeout(deadlines.get(socket)); });
  });
  server.on('request', (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse) => {
    if (req.httpVersionMajor !== 1) return;
    const socket = req.socket;
    clearTimeout(deadlines.get(socket));
    res.once('finish', () => { if (!socket.destroyed) arm(socket, limits.keepAliveTimeoutMs + limits.headersTimeoutMs); });
  });
}

function trackConnections(server: Server | Http2SecureServer, event: 'connection' | 'secureConnection', hooks: ListenerHooks): void {
  server.on(event, (socket: Duplex) => {
    hooks.onConnection(1);
    socket.once('close', () => { hooks.onConnection(-1); });
  });
}

const CLIENT_ERROR_STATUS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, hooks: ListenerHooks): void {
  const code = err.code ?? 'unknown';
  hooks.onClientError(code);
  if (code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[code] ?? '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
