import { describe, expect, it } from '@jest/globals';
import { BadChunkError, ChunkedDecoder, LengthDecoder, TrailersTooLargeError, type BodyDecoder } from './body-decoder.ts';

interface Decoded {
  readonly body: string;
  /** Bytes of the input the decoder used, over all feeds. */
  readonly used: number;
  readonly done: boolean;
}

/** Feeds `pieces` in order, stopping once the decoder is done (as the connection does). */
function decode(decoder: BodyDecoder, pieces: readonly Buffer[]): Decoded {
  const out: Buffer[] = [];
  let used = 0;
  for (const piece of pieces) {
    if (decoder.done) break;
    used += decoder.feed(piece, (b) => { out.push(Buffer.from(b)); });
  }
  return { body: Buffer.concat(out).toString('latin1'), used, done: decoder.done };
}

/** The trailer section's cap, as the connection passes it (its maxHeaderBytes). */
const TRAILER_LIMIT = 32 * 1024;
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const whole = (text: string): Buffer[] => [bytes(text)];
const oneByOne = (text: string): Buffer[] => [...bytes(text)].map((b) => Buffer.from([b]));
/** The input cut in two at `at`. */
const splitAt = (text: string, at: number): Buffer[] => [bytes(text.slice(0, at)), bytes(text.slice(at))];

describe('LengthDecoder', () => {
  it('hands out exactly the declared length and leaves the rest', () => {
    const decoder = new LengthDecoder(5);
    const input = bytes('helloGET / HTTP/1.1\r\n');
    const emitted: string[] = [];
    expect(decoder.feed(input, (b) => emitted.push(b.toString('latin1')))).toBe(5);
    expect(emitted).toEqual(['hello']);
    expect(decoder.done).toBe(true);
  });

  it('is done at once for a zero length and uses nothing', () => {
    const decoder = new LengthDecoder(0);
    expect(decoder.done).toBe(true);
    const emitted: Buffer[] = [];
    expect(decoder.feed(bytes('GET'), (b) => emitted.push(b))).toBe(0);
    expect(emitted).toEqual([]);
  });

  it('is not done until the last byte arrives', () => {
    const decoder = new LengthDecoder(3);
    expect(decoder.feed(bytes('ab'), () => undefined)).toBe(2);
    expect(decoder.done).toBe(false);
    expect(decoder.feed(bytes('cd'), () => undefined)).toBe(1);
    expect(decoder.done).toBe(true);
  });

  it('gives the same body fed one byte at a time', () => {
    expect(decode(new LengthDecoder(11), oneByOne('hello worldNEXT'))).toEqual({ body: 'hello world', used: 11, done: true });
  });

  it('gives the same body split at every byte boundary', () => {
    const text = 'hello worldNEXT';
    for (let at = 0; at <= text.length; at++) {
      expect(decode(new LengthDecoder(11), splitAt(text, at))).toEqual({ body: 'hello world', used: 11, done: true });
    }
  });
});

const CHUNKED = '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
const NEXT = 'GET /next HTTP/1.1\r\nHost: x\r\n\r\n';

describe('ChunkedDecoder: decoding', () => {
  it('decodes chunks and stops after the last chunk', () => {
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole(CHUNKED))).toEqual({ body: 'hello world', used: CHUNKED.length, done: true });
  });

  it('does not consume the bytes after the body (the next request)', () => {
    const decoder = new ChunkedDecoder(TRAILER_LIMIT);
    const used = decoder.feed(bytes(CHUNKED + NEXT), () => undefined);
    expect(used).toBe(CHUNKED.length);
    expect(decoder.done).toBe(true);
    expect(decoder.feed(bytes(NEXT), () => undefined)).toBe(0);
  });

  it('accepts an empty body (only the last chunk)', () => {
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole('0\r\n\r\n'))).toEqual({ body: '', used: 5, done: true });
  });

  it('accepts upper- and lower-case hex sizes with leading zeros', () => {
    const text = `0A\r\n${'a'.repeat(10)}\r\n00f\r\n${'b'.repeat(15)}\r\n000\r\n\r\n`;
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole(text)).body).toBe('a'.repeat(10) + 'b'.repeat(15));
  });

  it('passes CR and LF inside chunk data through as data', () => {
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole('4\r\n\r\n\r\n\r\n0\r\n\r\n')).body).toBe('\r\n\r\n');
  });

  it('ignores chunk extensions', () => {
    const text = '5;name=value\r\nhello\r\n6;a;b=c\r\n world\r\n0;last\r\n\r\n';
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole(text))).toEqual({ body: 'hello world', used: text.length, done: true });
  });

  // RFC 9112 §7.1.1: chunk-ext-val = token / quoted-string; llhttp accepts quoted values.
  it('ignores a chunk extension with a quoted-string value, escapes included', () => {
    const text = '5;name="quoted \\" value"\r\nhello\r\n0\r\n\r\n';
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole(text))).toEqual({ body: 'hello', used: text.length, done: true });
  });

  it('reads and drops trailer fields', () => {
    const text = '5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other:\tdef\r\n\r\n';
    const emitted: string[] = [];
    const decoder = new ChunkedDecoder(TRAILER_LIMIT);
    expect(decoder.feed(bytes(text + NEXT), (b) => emitted.push(b.toString('latin1')))).toBe(text.length);
    expect(emitted.join('')).toBe('hello');
    expect(decoder.done).toBe(true);
  });

  it('is not done before the blank line that ends the trailer section', () => {
    const decoder = new ChunkedDecoder(TRAILER_LIMIT);
    decoder.feed(bytes('5\r\nhello\r\n0\r\n'), () => undefined);
    expect(decoder.done).toBe(false);
    decoder.feed(bytes('X-T: 1\r\n'), () => undefined);
    expect(decoder.done).toBe(false);
    decoder.feed(bytes('\r\n'), () => undefined);
    expect(decoder.done).toBe(true);
  });
});

describe('ChunkedDecoder: split input', () => {
  const inputs = [
    ['plain chunks', CHUNKED, 'hello world'],
    ['extensions and trailers', '5;ext=1\r\nhello\r\n1;x\r\n!\r\n0;y=2\r\nX-T: 1\r\n\r\n', 'hello!'],
  ] as const;

  it.each(inputs)('%s: one byte at a time gives the same body, leaving the next request', (_name, text, body) => {
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), oneByOne(text + NEXT))).toEqual({ body, used: text.length, done: true });
  });

  it.each(inputs)('%s: split at every byte boundary gives the same body', (_name, text, body) => {
    for (let at = 0; at <= text.length + NEXT.length; at++) {
      expect(decode(new ChunkedDecoder(TRAILER_LIMIT), splitAt(text + NEXT, at))).toEqual({ body, used: text.length, done: true });
    }
  });
});

describe('ChunkedDecoder: malformed framing', () => {
  it.each([
    ['a non-hex size', 'zz\r\nabc\r\n0\r\n\r\n'],
    ['an empty size line', '\r\nhello\r\n0\r\n\r\n'],
    ['a negative size', '-5\r\nhello\r\n0\r\n\r\n'],
    ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['junk after the size', '5z\r\nhello\r\n0\r\n\r\n'],
    ['a space before the size', ' 5\r\nhello\r\n0\r\n\r\n'],
    ['a space after the size', '5 \r\nhello\r\n0\r\n\r\n'],
    ['a size of 13 hex digits', '0000000000005\r\nhello\r\n0\r\n\r\n'],
    ['a control character in an extension', '5;a\x01b\r\nhello\r\n0\r\n\r\n'],
    ['an empty extension', '5;\r\nhello\r\n0\r\n\r\n'],
    ['an extension with an empty value', '5;a=\r\nhello\r\n0\r\n\r\n'],
    ['whitespace before an extension', '5 ;a\r\nhello\r\n0\r\n\r\n'],
    ['an unterminated quoted extension value', '5;a="b\r\nhello\r\n0\r\n\r\n'],
    ['data longer than the size (no CRLF after the data)', '5\r\nhelloXX\r\n0\r\n\r\n'],
    ['data shorter than the size', '5\r\nhell\r\n0\r\n\r\n'],
    ['CR without LF after the data', '5\r\nhello\rX0\r\n\r\n'],
    ['bare LF after the data', '5\r\nhello\n0\r\n\r\n'],
    ['bare LF ending the size line', '5\nhello\r\n0\r\n\r\n'],
    ['bare LF ending the last-chunk line', '5\r\nhello\r\n0\n\r\n'],
    ['bare CR inside the size line', '5\r6\r\nhello\r\n0\r\n\r\n'],
    ['bare LF ending a trailer', '0\r\nX-T: 1\n\r\n'],
    ['bare LF ending the trailer section', '0\r\n\n'],
    ['a malformed trailer field', '0\r\nnot a field\r\n\r\n'],
    ['a trailer with a space before the colon', '0\r\nX-T : 1\r\n\r\n'],
  ])('refuses %s', (_name, text) => {
    expect(() => decode(new ChunkedDecoder(TRAILER_LIMIT), whole(text))).toThrow(BadChunkError);
    expect(() => decode(new ChunkedDecoder(TRAILER_LIMIT), oneByOne(text))).toThrow(BadChunkError);
  });

  it('refuses a size line longer than 4 KiB, even before its end arrives', () => {
    const decoder = new ChunkedDecoder(TRAILER_LIMIT);
    expect(() => decoder.feed(bytes(`5;${'x'.repeat(5000)}`), () => undefined)).toThrow(BadChunkError);
  });

  it('refuses a size line that grows past 4 KiB over many feeds', () => {
    const decoder = new ChunkedDecoder(TRAILER_LIMIT);
    const piece = bytes('0'.repeat(512));
    expect(() => { for (let i = 0; i < 9; i++) decoder.feed(piece, () => undefined); }).toThrow(BadChunkError);
  });

  it('refuses a trailer line longer than 4 KiB', () => {
    expect(() => decode(new ChunkedDecoder(TRAILER_LIMIT), whole(`0\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`))).toThrow(BadChunkError);
  });

  it('caps the trailer section as a whole, like a head: short lines adding up past the cap are refused', () => {
    const line = `X-T: ${'t'.repeat(90)}\r\n`;
    const many = `0\r\n${line.repeat(Math.ceil(TRAILER_LIMIT / line.length))}\r\n`;
    expect(() => decode(new ChunkedDecoder(TRAILER_LIMIT), whole(many))).toThrow(TrailersTooLargeError);
    expect(() => decode(new ChunkedDecoder(TRAILER_LIMIT), oneByOne(many))).toThrow(TrailersTooLargeError);
    const fits = `0\r\n${line.repeat(Math.floor((TRAILER_LIMIT - 2) / line.length))}\r\n`;
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole(fits)).done).toBe(true);
  });

  it('refuses trailers past the cap with the head-overflow code (answered 431)', () => {
    expect(new TrailersTooLargeError('x').code).toBe('HPE_HEADER_OVERFLOW');
  });

  it('accepts a size line with a long extension under 4 KiB', () => {
    expect(decode(new ChunkedDecoder(TRAILER_LIMIT), whole(`5;${'x'.repeat(4000)}\r\nhello\r\n0\r\n\r\n`)).body).toBe('hello');
  });

  it('carries the llhttp error code for the client-error metric', () => {
    let caught: unknown;
    try {
      new ChunkedDecoder(TRAILER_LIMIT).feed(bytes('zz\r\n'), () => undefined);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BadChunkError);
    expect((caught as BadChunkError).code).toBe('HPE_INVALID_CHUNK_SIZE');
  });
});
