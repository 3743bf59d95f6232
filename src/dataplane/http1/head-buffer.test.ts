import { describe, expect, it } from '@jest/globals';
import { HeadBuffer } from './head-buffer.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Pushes `pieces` and returns the buffer with its head length, or -1 when incomplete. */
function fed(pieces: readonly Buffer[]): { buffer: HeadBuffer; headLength: number } {
  const buffer = new HeadBuffer(1 << 20);
  for (const piece of pieces) buffer.push(piece);
  return { buffer, headLength: buffer.headLength() };
}

const oneByOne = (text: string): Buffer[] => [...bytes(text)].map((b) => Buffer.from([b]));

describe('HeadBuffer: finding the end of a head', () => {
  const request = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';

  it('finds the blank line in one chunk, and keeps what follows', () => {
    const { buffer, headLength } = fed([bytes(`${request}NEXT`)]);
    expect(headLength).toBe(request.length);
    expect(buffer.take().toString('latin1')).toBe(`${request}NEXT`);
    expect(buffer.length).toBe(0);
  });

  it('finds it wherever the chunks are cut, byte by byte included', () => {
    for (let at = 0; at <= request.length; at++) {
      expect(fed([bytes(request.slice(0, at)), bytes(`${request.slice(at)}X`)]).headLength).toBe(request.length);
    }
    expect(fed(oneByOne(request)).headLength).toBe(request.length);
    expect(fed(oneByOne(request.slice(0, -1))).headLength).toBe(-1);
  });

  it('is not fooled by CR and LF runs that are not a blank line', () => {
    expect(fed(oneByOne('GET / HTTP/1.1\r\nX: \r\r\n\r\r\n')).headLength).toBe(-1);
    expect(fed([bytes('GET / HTTP/1.1\r\nX: a\r\r'), bytes('\n\r\n')]).headLength).toBe('GET / HTTP/1.1\r\nX: a\r\r\n\r\n'.length);
  });

  it('finds it and keeps what follows when every piece is small (the drip path), at every offset', () => {
    const stream = `${request}GET /2 HTTP/1.1\r\n`;
    for (const size of [1, 2, 3, 5, 15]) {
      for (let first = 1; first <= size; first++) {
        const pieces = [bytes(stream.slice(0, first))];
        for (let at = first; at < stream.length; at += size) pieces.push(bytes(stream.slice(at, at + size)));
        const { buffer, headLength } = fed(pieces);
        expect(headLength).toBe(request.length);
        expect(buffer.take().toString('latin1')).toBe(stream);
      }
    }
  });

  it('drops empty lines (CR, LF) before a request line, also when they arrive alone', () => {
    const { buffer, headLength } = fed([bytes('\r'), bytes('\n\r\n'), bytes(request)]);
    expect(headLength).toBe(request.length);
    expect(buffer.take().toString('latin1')).toBe(request);
  });

  it('joins chunks of every size in order', () => {
    const pieces = [bytes('G'), bytes('ET / HTTP/1.1\r\nHost: a\r\n'), bytes(`X: ${'v'.repeat(3000)}\r\n`), bytes('\r'), bytes('\n')];
    const { buffer } = fed(pieces);
    expect(buffer.take().toString('latin1')).toBe(Buffer.concat(pieces).toString('latin1'));
  });

  it('tells the caller only of the first bytes, the complete head and bytes past the cap', () => {
    const buffer = new HeadBuffer(1 << 20);
    const told = oneByOne(request).map((piece) => buffer.push(piece));
    expect(told[0]).toBe(true);
    expect(told.slice(1, -1).every((t) => !t)).toBe(true);
    expect(told.at(-1)).toBe(true);
    const capped = new HeadBuffer(20);
    const past = oneByOne('GET / HTTP/1.1\r\nX: 123456789\r\n').map((piece) => capped.push(piece));
    // The 21st byte passes the cap: from there on every push says so.
    expect(past.indexOf(true, 1)).toBe(20);
    expect(past.slice(20).every((t) => t)).toBe(true);
    expect(capped.headLength()).toBe(-1);
  });

  it('starts afresh after take()', () => {
    const buffer = new HeadBuffer(1 << 20);
    buffer.push(bytes(request));
    buffer.take();
    buffer.push(bytes('GET /2 HTTP/1.1\r\n'));
    expect(buffer.headLength()).toBe(-1);
    buffer.push(bytes('\r\n'));
    expect(buffer.headLength()).toBe('GET /2 HTTP/1.1\r\n\r\n'.length);
  });
});

describe('HeadBuffer: work is linear in the input', () => {
  // Counting bytes scanned and copied instead of timing: a 32 KB head dripped one byte per chunk
  // used to be re-concatenated and re-searched from its start on every chunk (~500 MB of work).
  const head = `GET / HTTP/1.1\r\nHost: a\r\n${'X-Field: value\r\n'.repeat(2000)}\r\n`;

  it('scans each byte of a dripped head once, copies it at most twice and allocates a store per doubling', () => {
    const { buffer, headLength } = fed(oneByOne(head));
    expect(headLength).toBe(head.length);
    expect(buffer.scanned).toBeLessThanOrEqual(head.length);
    expect(buffer.take().toString('latin1')).toBe(head);
    expect(buffer.copied).toBeLessThanOrEqual(2 * head.length);
    // 1 KiB, doubled up to the head's ~32 KB: not one allocation per chunk.
    expect(buffer.stores).toBeLessThanOrEqual(Math.ceil(Math.log2(head.length / 1024)) + 1);
  });

  it('scans each byte about once and copies nothing when the head arrives whole', () => {
    const { buffer } = fed([bytes(head)]);
    buffer.take();
    expect(buffer.scanned).toBeLessThanOrEqual(head.length);
    expect(buffer.copied).toBe(0);
  });

  it('scans a head in 7-byte pieces at most a few bytes more than once per piece', () => {
    const pieces: Buffer[] = [];
    for (let at = 0; at < head.length; at += 7) pieces.push(bytes(head.slice(at, at + 7)));
    const { buffer } = fed(pieces);
    expect(buffer.scanned).toBeLessThanOrEqual(head.length + 3 * pieces.length);
  });

  it('does not scan past a found head: pipelined bytes behind it are searched only once their turn comes', () => {
    const buffer = new HeadBuffer(1 << 20);
    buffer.push(bytes(head));
    for (let i = 0; i < 1000; i++) buffer.push(bytes('GET /next HTTP/1.1\r\n'));
    expect(buffer.scanned).toBeLessThanOrEqual(head.length);
  });
});
