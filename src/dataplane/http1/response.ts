// One HTTP/1.x response written straight to the client socket: the head is built as one string
// and leaves with the first body bytes (one write for a small answer), the body is framed by
// the upstream's Content-Length or chunked here, and the connection learns when it is done.
// No streams or EventEmitter per response: the few listeners the proxy needs are kept here.
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientResponse } from '../client-response.ts';

/** What the response needs of its connection. */
export interface ResponseOwner {
  readonly socket: Socket;
  /** HTTP/1.0 clients get neither chunked framing nor trailers. */
  readonly minor: number;
  /** The connection closes after this response (shutdown). */
  readonly closingSoon: boolean;
  /** The response has been handed to the socket entirely; `reusable`: framing allows a next request. */
  responseDone(reusable: boolean): void;
}

type Framing = 'length' | 'chunked' | 'none' | 'close';

const CRLF = '\r\n';
/**
 * Bytes the socket may hold before the upstream is paused. A socket's own mark is 16 KiB, so a
 * 16 KiB body plus its head would pause and resume the upstream on every response; past this
 * larger mark the socket has also said it wants a 'drain', which resumes the upstream.
 */
const PAUSE_ABOVE_BYTES = 256 * 1024;

/** Small bodies are copied behind the head (one buffer, one write); larger ones go out as a writev. */
const COPY_BELOW_BYTES = 4096;

const roomLeft = (socket: Socket, ok: boolean): boolean => ok || socket.writableLength < PAUSE_ABOVE_BYTES;

export class Http1Response implements ClientResponse {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  private head = '';
  private framing: Framing = 'length';
  private trailers = '';
  private closeAfter = false;
  private closeListeners: (() => void)[] | undefined;
  private drainListeners: (() => void)[] | undefined;
  private readonly owner: ResponseOwner;
  private readonly bodyless: boolean;
  /** False when the request asked to close the connection after this response. */
  private readonly keepAlive: boolean;

  constructor(owner: ResponseOwner, headRequest: boolean, keepAlive: boolean) {
    this.owner = owner;
    this.bodyless = headRequest;
    this.keepAlive = keepAlive;
  }

  get destroyed(): boolean {
    return this.owner.socket.destroyed;
  }

  writeHead(status: number, headers: OutgoingHttpHeaders = {}): this {
    if (this.headersSent) return this;
    this.statusCode = status;
    this.headersSent = true;
    const fields = headerLines(headers);
    this.framing = this.chooseFraming(status, fields.length);
    this.closeAfter = !this.keepAlive || this.owner.closingSoon || fields.close || this.framing === 'close';
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}${CRLF}${fields.lines}`;
    if (this.framing === 'chunked') head += `transfer-encoding: chunked${CRLF}`;
    if (this.closeAfter) head += `connection: close${CRLF}`;
    else if (this.owner.minor === 0) head += `connection: keep-alive${CRLF}`;
    this.head = head + CRLF;
    return this;
  }

  write(data: Buffer | string): boolean {
    if (!this.headersSent) this.writeHead(this.statusCode);
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    const socket = this.owner.socket;
    if (socket.destroyed) return true;
    if (this.framing === 'none' || chunk.length === 0) return this.flushHead();
    if (this.framing !== 'chunked') {
      if (this.head === '') return roomLeft(socket, socket.write(chunk));
      return this.writeWithHead(chunk);
    }
    const size = `${chunk.length.toString(16)}${CRLF}`;
    socket.cork();
    socket.write(this.head + size, 'latin1');
    this.head = '';
    socket.write(chunk);
    const ok = socket.write(CRLF, 'latin1');
    socket.uncork();
    return roomLeft(socket, ok);
  }

  end(data: string): this {
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (this.writableFinished) return this;
    if (data !== '') this.write(data);
    const socket = this.owner.socket;
    if (this.framing === 'chunked') socket.write(`${this.head}0${CRLF}${this.trailers}${CRLF}`, 'latin1');
    else this.flushHead();
    this.head = '';
    this.writableFinished = true;
    this.owner.responseDone(!this.closeAfter);
    this.emitClose();
    return this;
  }

  addTrailers(headers: Record<string, string>): void {
    if (this.owner.minor === 0) return;
    for (const name in headers) this.trailers += `${name}: ${headers[name] ?? ''}${CRLF}`;
  }

  destroy(): this {
    this.owner.socket.destroy();
    return this;
  }

  once(_event: 'drain', listener: () => void): this {
    (this.drainListeners ??= []).push(listener);
    return this;
  }

  on(_event: 'close', listener: () => void): this {
    (this.closeListeners ??= []).push(listener);
    return this;
  }

  /** The socket drained: wake whoever waits to write more. */
  drained(): void {
    const listeners = this.drainListeners;
    this.drainListeners = undefined;
    if (listeners) for (const l of listeners) l();
  }

  /** The connection closed (client gone, or after this response finished). */
  emitClose(): void {
    const listeners = this.closeListeners;
    this.closeListeners = undefined;
    if (listeners) for (const l of listeners) l();
  }

  /** RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; HTTP/1.0 without a length reads to close. */
  private chooseFraming(status: number, length: boolean): Framing {
    if (this.bodyless || status === 204 || status === 304 || status < 200) return 'none';
    if (length) return 'length';
    return this.owner.minor === 1 ? 'chunked' : 'close';
  }

  private flushHead(): boolean {
    if (this.head === '') return true;
    const ok = this.owner.socket.write(this.head, 'latin1');
    this.head = '';
    return ok;
  }

  /** Head and first body bytes in one write: small answers leave in one packet. */
  private writeWithHead(chunk: Buffer): boolean {
    const head = this.head;
    this.head = '';
    if (chunk.length > COPY_BELOW_BYTES) {
      this.owner.socket.cork();
      this.owner.socket.write(head, 'latin1');
      const ok = this.owner.socket.write(chunk);
      this.owner.socket.uncork();
      return roomLeft(this.owner.socket, ok);
    }
    const headLength = head.length;
    const joined = Buffer.allocUnsafe(headLength + chunk.length);
    joined.write(head, 0, 'latin1');
    chunk.copy(joined, headLength);
    return roomLeft(this.owner.socket, this.owner.socket.write(joined));
  }
}

/** Header lines as sent; Connection is ours to set (hop-by-hop), a `close` in it is honoured. */
function headerLines(headers: OutgoingHttpHeaders): { lines: string; length: boolean; close: boolean } {
  let lines = '';
  let length = false;
  let close = false;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (name === 'connection') {
      close ||= String(value).toLowerCase() === 'close';
      continue;
    }
    if (name === 'content-length') length = true;
    if (typeof value === 'object') for (const v of value) lines += `${name}: ${v}${CRLF}`;
    else lines += `${name}: ${value}${CRLF}`;
  }
  return { lines, length, close };
}
