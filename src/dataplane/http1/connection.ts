// One client connection speaking HTTP/1.x (plain TCP, or TLS after ALPN chose http/1.1): request
// heads are cut from the byte stream and parsed strictly, bodies decoded and streamed, responses
// written in order (pipelined requests wait in the buffer), upgrades handed off. Deadlines are
// plain numbers checked by the connection set's sweeper, so no timer is armed per request.
// `100 Continue` is sent when the request body is first read — that is, once the proxy forwards
// the request — never for a request answered locally (404, 308, 413, …); such an answer then
// closes the connection, as the client may or may not send the body it announced.
import type { Socket } from 'node:net';
import type { ClientRequest } from '../client-response.ts';
import { BadChunkError, ChunkedDecoder, LengthDecoder, TrailersTooLargeError, type BodyDecoder } from './body-decoder.ts';
import { HeadBuffer } from './head-buffer.ts';
import { RequestBody } from './request-body.ts';
import { READS_BEFORE_HOLD, ReadHold } from './read-hold.ts';
import { parseRequestHead, type RequestHead } from './request-head.ts';
import { Http1Response, type ResponseOwner } from './response.ts';
import { offersWebSocket } from '../upgrade-protocol.ts';

export interface Http1Limits {
  readonly maxHeaderBytes: number;
  /** Time allowed for a whole request head, from its first byte (slowloris). */
  readonly headersTimeoutMs: number;
  /** Time allowed for receiving the whole request, body included; 0 disables. */
  readonly requestTimeoutMs: number;
  /** Idle time between requests before the connection is closed. */
  readonly keepAliveTimeoutMs: number;
  /** Request header fields whose name has an underscore are dropped (nginx's default; request-head.ts). */
  readonly dropUnderscoreFields?: boolean;
}

export interface Http1Request extends ClientRequest {
  readonly method: string;
  readonly url: string;
  readonly socket: Socket;
}

export interface Http1Handlers {
  readonly request: (req: Http1Request, res: Http1Response, body: RequestBody | null) => void;
  /** The socket now belongs to the handler; `head` holds bytes that followed the request head. */
  readonly upgrade: (req: Http1Request, socket: Socket, head: Buffer) => void;
  readonly clientError: (code: string) => void;
  /** HTTP/2 with prior knowledge: the socket (its read bytes put back) now belongs to the handler. */
  readonly h2c?: (socket: Socket) => void;
}

/** head: waiting for (the rest of) a request head; body: reading a body; busy: answering; done: closed or handed off. */
type State = 'head' | 'body' | 'busy' | 'done';
/** What the deadline, when passed, means. */
type Deadline = 'none' | 'idle' | 'head' | 'request';

/** RFC 9113 §3.4: the client connection preface, up to the blank line our head search stops at. */
const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\n';
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const STATUS_LINE: Readonly<Record<number, string>> = {
  400: '400 Bad Request', 405: '405 Method Not Allowed', 408: '408 Request Timeout', 417: '417 Expectation Failed', 431: '431 Request Header Fields Too Large',
};

export class Http1Connection implements ResponseOwner {
  readonly socket: Socket;
  minor = 1;
  private state: State = 'head';
  /** Bytes of the next request head (and, while answering, of pipelined requests). */
  private readonly pending: HeadBuffer;
  private response: Http1Response | undefined;
  private body: RequestBody | undefined;
  private decoder: BodyDecoder | undefined;
  /** The answer is out but the request body is still arriving: read it and drop it. */
  private discarding = false;
  /** Expect: 100-continue, no 100 sent and no body byte received yet. */
  private continuePending = false;
  private reusable = true;
  private closing = false;
  /** The drain period: each response says `connection: close`, and the connection closes after it. */
  private draining = false;
  private parsing = false;
  private firstRequest = true;
  private parseAgain = false;
  /** Reads of the current request head; past a budget, reading is spaced out (read-hold.ts). */
  private headReads = 0;
  /** Made at the first hold; null when the socket cannot be held. */
  private readHold: ReadHold | null | undefined;
  private deadline: number;
  private deadlineKind: Deadline = 'head';
  private readonly limits: Http1Limits;
  private readonly handlers: Http1Handlers;

  constructor(socket: Socket, limits: Http1Limits, handlers: Http1Handlers, now: number) {
    this.socket = socket;
    this.limits = limits;
    this.handlers = handlers;
    this.pending = new HeadBuffer(limits.maxHeaderBytes);
    this.deadline = now + limits.headersTimeoutMs;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => { this.onData(chunk); });
    socket.on('drain', () => { this.response?.drained(); });
    socket.on('error', () => { /* 'close' follows and cleans up */ });
    socket.on('close', () => { this.onClose(); });
  }

  /** Shutting down: the response in progress tells the client this connection closes after it. */
  get closingSoon(): boolean {
    // Answered without a 100: whether the announced body follows is the client's choice, so the
    // next request's start is unknown.
    return this.closing || this.draining || this.continuePending;
  }

  /**
   * The drain period began: from the next response head on, the client is told this connection
   * closes after it, so it opens a new one (which goes to a Pod still in the Service). A connection
   * stays open until such a response: closing an idle one could race a request the client is
   * sending; closeIfIdle, at the end of the drain, does that for whoever stayed silent.
   */
  drain(): void {
    this.draining = true;
  }

  /** Times reading was held for a dripping head, over the connection's life. */
  get readHolds(): number {
    return this.readHold?.holds ?? 0;
  }

  /** Called by the sweeper; acts on a passed deadline. */
  checkDeadline(now: number): void {
    if (this.deadlineKind === 'none' || now < this.deadline) return;
    if (this.deadlineKind === 'idle') {
      this.state = 'done';
      this.socket.end();
    } else if (this.response?.headersSent === true) {
      this.socket.destroy();
    } else {
      this.refuse(408, 'ERR_HTTP_REQUEST_TIMEOUT');
    }
    this.deadlineKind = 'none';
  }

  /** Shutdown: close now when idle, otherwise after the response in progress. */
  closeIfIdle(): void {
    this.closing = true;
    // Nothing of a request has arrived (a new connection, or between requests): like Node's
    // closeIdleConnections, such a connection is idle.
    if (this.state === 'head' && this.pending.length === 0) {
      this.state = 'done';
      this.socket.end();
    }
  }

  /** From the response: everything is written. */
  responseDone(reusable: boolean): void {
    this.reusable = reusable;
    if (this.state === 'body' && this.continuePending) {
      this.state = 'done';
      this.body?.destroy();
      this.body = undefined;
      this.socket.end();
      return;
    }
    if (this.state === 'body') {
      // Answered before the body was read (a refusal, a failed upstream): read the rest and drop
      // it, so the next request starts after it; the body's consumer is gone, so unpause.
      this.discarding = true;
      this.body?.destroy();
      this.body = undefined;
      if (this.socket.isPaused()) this.socket.resume();
      return;
    }
    this.nextRequest();
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'head') this.onHeadBytes(chunk);
    else if (this.state === 'body') this.feedBody(chunk);
    else if (this.state === 'busy') this.onPipelined(chunk);
  }

  /**
   * Part of a request head: kept until the head is complete (or too large), then parsed. Most
   * chunks of a head change nothing else; push() says which do: the first bytes (parseOne starts
   * the head deadline), the last, or those past the limit. A head that takes many reads has its
   * reads spaced out, so a drip costs Node fewer of them (read-hold.ts).
   */
  private onHeadBytes(chunk: Buffer): void {
    const reads = ++this.headReads;
    if (this.pending.push(chunk)) this.parse();
    // Held only while the same head is still incomplete (parseOne counts from 0 again once one
    // is): the read that completes it is followed at once by its body or the next request.
    if (reads === this.headReads && reads > READS_BEFORE_HOLD && this.readHold !== null) this.holdReads();
  }

  private holdReads(): void {
    this.readHold ??= ReadHold.of(this.socket);
    this.readHold?.hold();
  }

  /** Bytes behind the request being answered (pipelining): kept, and read paused past the head limit. */
  private onPipelined(chunk: Buffer): void {
    this.pending.push(chunk);
    if (this.pending.length > this.limits.maxHeaderBytes) this.socket.pause();
  }

  private parse(): void {
    if (this.parsing) {
      this.parseAgain = true;
      return;
    }
    this.parsing = true;
    do {
      this.parseAgain = false;
      this.parseOne();
    } while (this.moreToParse());
    this.parsing = false;
  }

  /** A response finished while parsing (answered at once), and the next request may be waiting. */
  private moreToParse(): boolean {
    return this.parseAgain && this.state === 'head';
  }

  private parseOne(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    if (this.deadlineKind === 'idle') this.setDeadline('head', this.limits.headersTimeoutMs);
    const headLength = pending.headLength();
    const end = headLength - 4;
    if (headLength === -1 || end > this.limits.maxHeaderBytes) {
      if (pending.length > this.limits.maxHeaderBytes) this.refuse(431, 'HPE_HEADER_OVERFLOW');
      return;
    }
    const input = pending.take();
    this.headReads = 0;
    this.readHold?.reset();
    if (this.isH2Preface(input, end)) {
      this.handOffH2(input);
      return;
    }
    this.firstRequest = false;
    const head = parseRequestHead(input.toString('latin1', 0, end), this.limits);
    const rest = input.subarray(headLength);
    if ('code' in head) {
      this.refuse(head.status, head.code);
      return;
    }
    this.minor = head.minor;
    const req: Http1Request = { method: head.method, url: head.url, headers: head.headers, httpVersionMajor: 1, httpVersionMinor: head.minor, socket: this.socket };
    if (takesUpgrade(head)) {
      this.handOff(req, rest);
      return;
    }
    this.start(req, head, rest);
  }

  private start(req: Http1Request, head: RequestHead, rest: Buffer): void {
    const res = new Http1Response(this, head.method === 'HEAD', head.keepAlive && !this.closing);
    this.response = res;
    let body: RequestBody | null = null;
    if (head.chunked || (head.contentLength ?? 0) > 0) {
      body = new RequestBody(() => { this.socket.pause(); }, () => { this.sendContinue(); this.socket.resume(); });
      this.body = body;
      this.decoder = head.chunked ? new ChunkedDecoder(this.limits.maxHeaderBytes) : new LengthDecoder(head.contentLength ?? 0);
      this.state = 'body';
      if (this.limits.requestTimeoutMs > 0) this.setDeadline('request', this.limits.requestTimeoutMs);
      else this.deadlineKind = 'none';
      this.continuePending = head.expectContinue && rest.length === 0;
    } else {
      this.state = 'busy';
      this.deadlineKind = 'none';
      this.pending.push(rest);
    }
    this.handlers.request(req, res, body);
    if (body !== null && rest.length > 0 && this.state === 'body') this.feedBody(rest);
  }

  /** The body is wanted (first read): time for the interim answer the client waits for. */
  private sendContinue(): void {
    if (!this.continuePending) return;
    this.continuePending = false;
    if (this.response?.headersSent !== true && this.socket.writable) this.socket.write(CONTINUE, 'latin1');
  }

  private feedBody(chunk: Buffer): void {
    const decoder = this.decoder;
    if (decoder === undefined) return;
    // RFC 9110 §10.1.1: once content arrives, the 100 may be left out.
    this.continuePending = false;
    let used: number;
    try {
      used = decoder.feed(chunk, this.discarding ? ignore : (b) => { this.body?.feed(b); });
    } catch (err) {
      this.body?.destroy(err as Error);
      if (err instanceof TrailersTooLargeError) this.refuse(431, err.code);
      else this.refuse(400, err instanceof BadChunkError ? err.code : 'HPE_INVALID_CHUNK_SIZE');
      return;
    }
    if (!decoder.done) return;
    this.body?.finish();
    this.body = undefined;
    this.decoder = undefined;
    if (used < chunk.length) this.pending.push(chunk.subarray(used));
    this.deadlineKind = 'none';
    if (this.discarding) {
      this.discarding = false;
      this.nextRequest();
    } else {
      this.state = 'busy';
    }
  }

  private nextRequest(): void {
    this.response = undefined;
    if (!this.reusable || this.closing || this.socket.destroyed) {
      this.state = 'done';
      this.socket.end();
      return;
    }
    this.state = 'head';
    const waiting = this.pending.length > 0;
    this.setDeadline(waiting ? 'head' : 'idle', waiting ? this.limits.headersTimeoutMs : this.limits.keepAliveTimeoutMs);
    if (this.socket.isPaused()) this.socket.resume();
    this.parse();
  }

  private handOff(req: Http1Request, rest: Buffer): void {
    this.detach();
    this.handlers.upgrade(req, this.socket, rest);
  }

  /** The socket stops being ours (upgrade, h2c): no more reading, writing or deadlines here. */
  private detach(): void {
    this.state = 'done';
    this.deadlineKind = 'none';
    this.pending.clear();
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('drain');
  }

  private isH2Preface(input: Buffer, headEnd: number): boolean {
    return headEnd === 14 && this.firstRequest && this.handlers.h2c !== undefined && input.toString('latin1', 0, 18) === H2_PREFACE;
  }

  private handOffH2(input: Buffer): void {
    const h2c = this.handlers.h2c;
    if (h2c === undefined) return;
    this.detach();
    this.socket.pause();
    this.socket.unshift(input);
    h2c(this.socket);
  }

  /** A request that cannot be served on this connection: answer, then close (its state is doubtful). */
  private refuse(status: number, code: string): void {
    this.handlers.clientError(code);
    this.state = 'done';
    this.deadlineKind = 'none';
    this.pending.clear();
    if (this.response?.headersSent === true || !this.socket.writable) {
      this.socket.destroy();
      return;
    }
    const line = STATUS_LINE[status] ?? `${status} Error`;
    this.socket.end(`HTTP/1.1 ${line}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, 'latin1');
  }

  private onClose(): void {
    this.state = 'done';
    this.deadlineKind = 'none';
    this.body?.destroy(new Error('client connection closed'));
    const res = this.response;
    if (res !== undefined && !res.writableFinished) res.emitClose();
  }

  private setDeadline(kind: Deadline, ms: number): void {
    this.deadlineKind = kind;
    this.deadline = performance.now() + ms;
  }
}

const ignore = (): void => undefined;

/** Only WebSocket upgrades leave the HTTP handling; any other Upgrade is an ordinary request (upgrade-protocol.ts). */
const takesUpgrade = (head: RequestHead): boolean => head.upgrade && offersWebSocket(head.headers.upgrade);
