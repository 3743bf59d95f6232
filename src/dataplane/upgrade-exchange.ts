// The upstream half of a WebSocket handshake, for both HTTP/1.1 Upgrade and RFC 8441: the request
// goes through the endpoint's undici pool with dispatch({ upgrade: 'websocket' }), so llhttp reads
// the answer and no head codec of ours is involved. A 101 whose Sec-WebSocket-Accept proves the
// upstream read the key hands over the upstream socket; any other answer is relayed to the client
// as an ordinary response (RelayHandler), and nothing the client sends later reaches this socket.
//
// Not undici's upgrade(): its handler throws 'bad upgrade' on a non-101 answer and drops the
// answer, so a client refused with 426, 401 or a redirect would only ever see our 502.
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, type Dispatcher } from 'undici';
import type { BackendProtocol, Endpoint, Route } from '../routing/types.ts';
import type { ClientResponse } from './client-response.ts';
import type { ForwardDeps } from './forward.ts';
import { buildClientHeaders } from './forward-headers.ts';
import { RelayHandler, type RelayOutcome } from './relay-handler.ts';
import { endpointKey } from './upstream/endpoint-stats.ts';

/** The upstream answered 101 without proving it read our Sec-WebSocket-Key. */
export class InvalidAcceptError extends Error {
  readonly code = 'bad_accept';
  constructor() {
    super('upstream switched protocols without a valid Sec-WebSocket-Accept');
  }
}

export type UpgradeOutcome =
  | { readonly switched: true; readonly socket: Duplex; readonly headers: IncomingHttpHeaders }
  | (RelayOutcome & { readonly switched: false });

export interface UpgradeRequest {
  readonly route: Route;
  readonly endpoint: Endpoint;
  /** Path and query as sent upstream. */
  readonly path: string;
  /** End-to-end headers; undici adds Connection and Upgrade. */
  readonly headers: Record<string, string | string[]>;
  /** The Sec-WebSocket-Accept value the upstream must answer with. */
  readonly accept: string;
}

/** WebSocket speaks HTTP/1.1 to the upstream: gRPC and h2c backends are reached as HTTP/1.1 with or without TLS. */
const http1Protocol = (p: BackendProtocol): BackendProtocol => (p === 'HTTPS' || p === 'GRPCS' ? 'HTTPS' : 'HTTP');

class UpgradeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private finished = false;
  private readonly relay: RelayHandler;
  private readonly accept: string;
  private readonly done: (outcome: UpgradeOutcome) => void;

  constructor(res: ClientResponse, via: boolean, accept: string, done: (outcome: UpgradeOutcome) => void) {
    this.relay = new RelayHandler(res, (h) => buildClientHeaders(h, via), (outcome) => { this.finish({ ...outcome, switched: false }); });
    this.accept = accept;
    this.done = done;
  }

  /** The client went away before the answer: stop the exchange. */
  abort(): void {
    if (!this.finished) this.controller?.abort(new errors.RequestAbortedError());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.relay.onRequestStart(controller);
  }

  onRequestUpgrade(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    if (statusCode !== 101 || headers['sec-websocket-accept'] !== this.accept) {
      socket.destroy();
      this.finish({ switched: false, status: 502, bytes: 0, started: false, error: new InvalidAcceptError() });
      return;
    }
    this.finish({ switched: true, socket, headers });
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.relay.onResponseStart(controller, statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.relay.onResponseData(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.relay.onResponseEnd(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.relay.onResponseError(controller, error);
  }

  private finish(outcome: UpgradeOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.done(outcome);
  }
}

/**
 * Sends the handshake to `req.endpoint`; a refusal is written to `res` as it arrives. `done` is
 * called once: switched (the caller owns the socket) or relayed/failed. Every outcome feeds passive
 * health like an ordinary request. Returns a function that aborts the exchange.
 */
export function dispatchUpgrade(deps: ForwardDeps, req: UpgradeRequest, res: ClientResponse, done: (outcome: UpgradeOutcome) => void): () => void {
  const { route, endpoint } = req;
  const stats = deps.pools.stats(endpoint);
  stats.started();
  const startedAt = deps.now();
  const handler = new UpgradeHandler(res, deps.options.via, req.accept, (outcome) => {
    const failed = !outcome.switched && outcome.error !== undefined && !(outcome.error instanceof errors.RequestAbortedError);
    if (stats.finished(deps.now() - startedAt, !failed, deps.now(), deps.options)) {
      deps.pools.noteEjection(stats.ejectedUntil);
      deps.onEject(endpointKey(endpoint), route.upstream.key);
    }
    done(outcome);
  });
  deps.pools.dispatcher(endpoint, http1Protocol(route.options.backendProtocol), undefined, route.options.upstreamTls).dispatch({
    path: req.path, method: 'GET', headers: req.headers, body: null, upgrade: 'websocket',
    headersTimeout: route.options.readTimeoutMs, bodyTimeout: route.options.readTimeoutMs,
  }, handler);
  return () => { handler.abort(); };
}
