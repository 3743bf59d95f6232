// An undici DispatchHandler that relays the upstream response to the client as it arrives:
// status and headers, body chunks with back-pressure (pause upstream while the client is slow),
// and trailers (gRPC). Errors before the response started are handed back to the caller, which
// may retry; after that the client connection is cut, as there is no honest way to report it.
// An answer with an intercepted status (nginx custom-http-errors) is read and dropped instead, and
// the caller answers the client some other way.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ClientResponse } from './client-response.ts';

export interface RelayOutcome {
  readonly status: number;
  readonly bytes: number;
  /** Set when the exchange failed; `started` tells whether the client already got headers. */
  readonly error?: Error;
  readonly started: boolean;
  /** Set when the upstream answered an intercepted status: nothing was sent to the client. */
  readonly intercepted?: number;
}

export class RelayHandler implements Dispatcher.DispatchHandler {
  private started = false;
  private status = 0;
  private bytes = 0;
  private controller: Dispatcher.DispatchController | undefined;
  private readonly res: ClientResponse;
  private readonly rewriteHeaders: (h: IncomingHttpHeaders, status: number) => OutgoingHttpHeaders;
  private readonly done: (outcome: RelayOutcome) => void;
  private finished = false;
  /** The upstream's answer is complete: ending the client response (which closes it) aborts nothing. */
  private upstreamDone = false;
  private abortReason: Error | undefined;
  private readonly intercept: readonly number[] | undefined;
  private intercepted: number | undefined;

  constructor(
    res: ClientResponse, rewriteHeaders: (h: IncomingHttpHeaders, status: number) => OutgoingHttpHeaders, done: (outcome: RelayOutcome) => void,
    intercept?: readonly number[],
  ) {
    this.res = res;
    this.rewriteHeaders = rewriteHeaders;
    this.done = done;
    this.intercept = intercept;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined) controller.abort(this.abortReason);
  }

  /**
   * The client went away: stop the upstream exchange, unless it is already over. The reason is made
   * only then: every response's close calls this, and an Error per request (its stack) cost ~3% of
   * the proxy's CPU.
   */
  abort(reason: () => Error): void {
    if (this.finished || this.upstreamDone) return;
    this.abortReason = reason();
    this.controller?.abort(this.abortReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: Node's server sends its own 100-continue.
    if (this.intercept?.includes(statusCode) === true) {
      this.intercepted = statusCode;
      return;
    }
    this.started = true;
    this.status = statusCode;
    if (this.res.destroyed) {
      controller.abort(new Error('client gone'));
      return;
    }
    this.res.writeHead(statusCode, this.rewriteHeaders(headers, statusCode));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // An intercepted answer's body is read to its end (the connection stays usable) and dropped.
    if (this.intercepted !== undefined) return;
    this.bytes += chunk.length;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => { controller.resume(); });
    }
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    if (this.intercepted !== undefined) {
      this.upstreamDone = true;
      this.finish(undefined);
      return;
    }
    const names = Object.keys(trailers);
    if (names.length > 0) this.res.addTrailers(trailers as Record<string, string>);
    this.upstreamDone = true;
    this.res.end('');
    this.finish(undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(error);
  }

  private finish(error: Error | undefined): void {
    if (this.finished) return;
    this.finished = true;
    const intercepted = this.intercepted === undefined ? {} : { intercepted: this.intercepted, status: this.intercepted };
    this.done({ status: this.status, bytes: this.bytes, started: this.started, ...(error ? { error } : {}), ...intercepted });
  }
}
