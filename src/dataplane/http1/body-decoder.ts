// Request body framing for HTTP/1.x: a Content-Length count or the chunked coding (RFC 9112 §7.1),
// decoded strictly (hex sizes without junk, CRLF exactly where it belongs, a bounded size line).
// Trailer fields are read and dropped: nothing upstream relies on request trailers. Each line is
// capped, and the trailer section as a whole like a head (maxHeaderBytes; past it, 431).
// feed() hands out body bytes and returns how many input bytes it used; once done, the rest of
// the input belongs to the next request on the connection.

import { scanField } from './field-syntax.ts';

export class BadChunkError extends Error {
  readonly code = 'HPE_INVALID_CHUNK_SIZE';
}

export class TrailersTooLargeError extends Error {
  readonly code = 'HPE_HEADER_OVERFLOW';
}

export interface BodyDecoder {
  readonly done: boolean;
  /** Consumes bytes of `input` and passes body bytes to `emit`; returns the bytes consumed. */
  feed(input: Buffer, emit: (body: Buffer) => void): number;
}

export class LengthDecoder implements BodyDecoder {
  private remaining: number;

  constructor(length: number) {
    this.remaining = length;
  }

  get done(): boolean {
    return this.remaining === 0;
  }

  feed(input: Buffer, emit: (body: Buffer) => void): number {
    const take = Math.min(this.remaining, input.length);
    if (take > 0) emit(take === input.length ? input : input.subarray(0, take));
    this.remaining -= take;
    return take;
  }
}

// A size, then extensions: ";" token ["=" (token / quoted-string)], no whitespace (llhttp refuses
// it too). Each part starts with a character the one before cannot hold: no backtracking.
const SIZE_LINE = /^([0-9A-Fa-f]{1,12})(?:;[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"))?)*$/;
const MAX_LINE = 4096;
const CR = 13;
const LF = 10;

type State = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export class ChunkedDecoder implements BodyDecoder {
  private state: State = 'size';
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;
  private readonly maxTrailerBytes: number;

  /** `maxTrailerBytes`: the most the trailer section (its blank line included) may take. */
  constructor(maxTrailerBytes: number) {
    this.maxTrailerBytes = maxTrailerBytes;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  feed(input: Buffer, emit: (body: Buffer) => void): number {
    let at = 0;
    while (at < input.length && this.state !== 'done') {
      if (this.state === 'data') at = this.data(input, at, emit);
      else if (this.state === 'data-cr' || this.state === 'data-lf') at = this.dataEnd(input, at);
      else at = this.lines(input, at);
    }
    return at;
  }

  private data(input: Buffer, at: number, emit: (body: Buffer) => void): number {
    const take = Math.min(this.remaining, input.length - at);
    emit(input.subarray(at, at + take));
    this.remaining -= take;
    if (this.remaining === 0) this.state = 'data-cr';
    return at + take;
  }

  private dataEnd(input: Buffer, at: number): number {
    const expected = this.state === 'data-cr' ? CR : LF;
    if (input[at] !== expected) throw new BadChunkError('chunk data not followed by CRLF');
    this.state = this.state === 'data-cr' ? 'data-lf' : 'size';
    return at + 1;
  }

  /** Size lines and trailer lines: collected up to CRLF, then interpreted. */
  private lines(input: Buffer, at: number): number {
    const lf = input.indexOf(LF, at);
    const end = lf === -1 ? input.length : lf + 1;
    this.line += input.toString('latin1', at, end);
    if (this.state === 'trailer') {
      this.trailerBytes += end - at;
      if (this.trailerBytes > this.maxTrailerBytes) throw new TrailersTooLargeError('trailer section too large');
    }
    if (this.line.length > MAX_LINE) throw new BadChunkError('chunk size or trailer line too long');
    if (lf !== -1) this.completeLine();
    return end;
  }

  private completeLine(): void {
    const raw = this.line;
    this.line = '';
    if (!raw.endsWith('\r\n') || raw.indexOf('\r') !== raw.length - 2) throw new BadChunkError('bare CR or LF in chunk framing');
    const text = raw.slice(0, -2);
    if (this.state === 'trailer') {
      if (text === '') this.state = 'done';
      else if (scanField(text, 0, text.length) === undefined) throw new BadChunkError('malformed trailer field');
      return;
    }
    const size = SIZE_LINE.exec(text);
    if (size === null) throw new BadChunkError('malformed chunk size');
    this.remaining = Number.parseInt(size[1] ?? '', 16);
    this.state = this.remaining === 0 ? 'trailer' : 'data';
  }
}
