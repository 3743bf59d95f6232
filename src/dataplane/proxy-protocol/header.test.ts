import { describe, expect, it } from '@jest/globals';
import { isIP } from 'node:net';
import { formatIPv6, headerLengthAtLeast, readProxyHeader, V2_MAX } from './header.ts';
import { seededRandom } from '../../../test/support/seeded-random.ts';

const text = (s: string): Buffer => Buffer.from(s, 'latin1');
const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** A v2 header: `command` 0 LOCAL / 1 PROXY, `family` byte, the address block and TLVs as given. */
function v2(command: number, family: number, block: readonly number[]): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(block.length);
  return Buffer.from([...SIGNATURE, 0x20 | command, family, ...length, ...block]);
}

const port = (n: number): number[] => [n >> 8, n & 0xff];
const V4_BLOCK = [203, 0, 113, 7, 10, 0, 0, 1, ...port(51234), ...port(443)];

describe('PROXY protocol v1', () => {
  it('reads a TCP4 line and says where the request starts', () => {
    const bytes = text('PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\nGET / HTTP/1.1\r\n');
    expect(readProxyHeader(bytes)).toEqual({ kind: 'header', length: 42, source: { address: '203.0.113.7', port: 51234, family: 'IPv4' } });
    expect(bytes.toString('latin1', 42, 45)).toBe('GET');
  });

  it('reads a TCP6 line', () => {
    expect(readProxyHeader(text('PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n'))).toEqual({
      kind: 'header', length: 45, source: { address: '2001:db8::7', port: 4000, family: 'IPv6' },
    });
  });

  it('writes a TCP6 client as the socket would (lower case, zeros compressed), and refuses a zone', () => {
    expect(readProxyHeader(text('PROXY TCP6 2001:DB8:0::7 2001:db8::1 4000 443\r\n'))).toMatchObject({ source: { address: '2001:db8::7' } });
    expect(readProxyHeader(text('PROXY TCP6 fe80::1%eth0 2001:db8::1 4000 443\r\n'))).toEqual({ kind: 'invalid', reason: 'malformed' });
  });

  it('keeps the connection\'s own peer for UNKNOWN, whatever follows on the line', () => {
    expect(readProxyHeader(text('PROXY UNKNOWN\r\n'))).toEqual({ kind: 'header', length: 15, source: undefined });
    expect(readProxyHeader(text('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n'))).toMatchObject({ kind: 'header', source: undefined });
  });

  it('waits for the rest of a line cut anywhere', () => {
    const line = 'PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\n';
    for (let n = 1; n < line.length; n++) expect(readProxyHeader(text(line.slice(0, n)))).toEqual({ kind: 'incomplete' });
  });

  it.each([
    ['an address of the other family', 'PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n'],
    ['a name instead of an address', 'PROXY TCP4 client.example 10.0.0.1 1 2\r\n'],
    ['a port above 65535', 'PROXY TCP4 203.0.113.7 10.0.0.1 65536 2\r\n'],
    ['a port with a leading zero', 'PROXY TCP4 203.0.113.7 10.0.0.1 080 2\r\n'],
    ['a missing field', 'PROXY TCP4 203.0.113.7 10.0.0.1 1\r\n'],
    ['two spaces', 'PROXY TCP4  203.0.113.7 10.0.0.1 1 2\r\n'],
    ['an unknown protocol', 'PROXY UDP4 203.0.113.7 10.0.0.1 1 2\r\n'],
  ])('refuses %s', (_what, line) => {
    expect(readProxyHeader(text(line))).toEqual({ kind: 'invalid', reason: 'malformed' });
  });

  it('refuses a line past 107 bytes, ended or not', () => {
    expect(readProxyHeader(text(`PROXY UNKNOWN ${'x'.repeat(100)}`))).toEqual({ kind: 'invalid', reason: 'too_long' });
    expect(readProxyHeader(text(`PROXY UNKNOWN ${'x'.repeat(92)}\r\n`))).toEqual({ kind: 'invalid', reason: 'too_long' });
    expect(readProxyHeader(text(`PROXY UNKNOWN ${'x'.repeat(91)}\r\n`))).toMatchObject({ kind: 'header', length: 107 });
  });
});

describe('a connection that does not start with a header', () => {
  it.each(['GET / HTTP/1.1\r\n', 'POST / HTTP/1.1\r\n', 'PRI * HTTP/2.0\r\n', '\x16\x03\x01\x02\x00', 'proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n'])('is refused as missing: %j', (start) => {
    expect(readProxyHeader(text(start))).toEqual({ kind: 'invalid', reason: 'missing' });
  });
});

describe('PROXY protocol v2', () => {
  it('reads TCP over IPv4, TLVs skipped, and says where the request starts', () => {
    const tlv = [0x04, 0x00, 0x03, 0x61, 0x62, 0x63];
    const bytes = Buffer.concat([v2(1, 0x11, [...V4_BLOCK, ...tlv]), text('GET')]);
    expect(readProxyHeader(bytes)).toEqual({ kind: 'header', length: 34, source: { address: '203.0.113.7', port: 51234, family: 'IPv4' } });
    expect(bytes.toString('latin1', 34)).toBe('GET');
  });

  it('reads TCP over IPv6', () => {
    const src = [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 7];
    const block = [...src, ...Array<number>(16).fill(0), ...port(4000), ...port(443)];
    expect(readProxyHeader(v2(1, 0x21, block))).toEqual({ kind: 'header', length: 52, source: { address: '2001:db8::7', port: 4000, family: 'IPv6' } });
  });

  it('keeps the connection\'s own peer for LOCAL (health checks) and for families without an IP client', () => {
    expect(readProxyHeader(v2(0, 0x11, V4_BLOCK))).toEqual({ kind: 'header', length: 28, source: undefined });
    expect(readProxyHeader(v2(0, 0x00, []))).toEqual({ kind: 'header', length: 16, source: undefined });
    expect(readProxyHeader(v2(1, 0x12, V4_BLOCK))).toMatchObject({ kind: 'header', source: undefined });
    expect(readProxyHeader(v2(1, 0x31, Array<number>(216).fill(0)))).toMatchObject({ kind: 'header', source: undefined });
  });

  it('waits for the whole header, and knows its length from the first 16 bytes', () => {
    const whole = v2(1, 0x11, V4_BLOCK);
    for (let n = 1; n < whole.length; n++) expect(readProxyHeader(whole.subarray(0, n))).toEqual({ kind: 'incomplete' });
    expect(headerLengthAtLeast(whole.subarray(0, 15))).toBe(0);
    expect(headerLengthAtLeast(whole.subarray(0, 16))).toBe(28);
  });

  it('refuses another version, another command, and an address block too short for its family', () => {
    const other = v2(1, 0x11, V4_BLOCK);
    other[12] = 0x11;
    expect(readProxyHeader(other)).toEqual({ kind: 'invalid', reason: 'malformed' });
    expect(readProxyHeader(v2(2, 0x11, V4_BLOCK))).toEqual({ kind: 'invalid', reason: 'malformed' });
    expect(readProxyHeader(v2(1, 0x11, V4_BLOCK.slice(0, 11)))).toEqual({ kind: 'invalid', reason: 'malformed' });
    expect(readProxyHeader(v2(1, 0x21, V4_BLOCK))).toEqual({ kind: 'invalid', reason: 'malformed' });
  });

  it(`refuses a header over ${String(V2_MAX)} bytes as soon as its length is known`, () => {
    const head = v2(1, 0x11, Array<number>(V2_MAX - 16 + 1).fill(0)).subarray(0, 16);
    expect(readProxyHeader(head)).toEqual({ kind: 'invalid', reason: 'too_long' });
  });
});

describe('formatIPv6', () => {
  const bytesOf = (groups: readonly number[]): Buffer => {
    const b = Buffer.alloc(16);
    groups.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
    return b;
  };

  it('writes IPv4-mapped addresses dotted, as Node shows a peer', () => {
    expect(formatIPv6(bytesOf([0, 0, 0, 0, 0, 0xffff, 0xcb00, 0x7107]))).toBe('::ffff:203.0.113.7');
  });

  it('agrees with the WHATWG URL serializer (RFC 5952) on random addresses with zero runs', () => {
    let seed = 7;
    const next = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed; };
    for (let i = 0; i < 2000; i++) {
      const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? next() % 0x10000 : 0));
      if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) continue;
      const full = groups.map((g) => g.toString(16)).join(':');
      expect(formatIPv6(bytesOf(groups))).toBe(new URL(`http://[${full}]/`).hostname.slice(1, -1));
    }
  });
});

describe('readProxyHeader on what clients and attackers really send', () => {
  const random = seededRandom(20261207);
  const int = (n: number): number => Math.floor(random() * n);
  const VALID = [
    text('PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\nGET / HTTP/1.1\r\n'),
    text('PROXY TCP6 2001:db8::7 2001:db8::1 4000 443\r\n'),
    text('PROXY UNKNOWN\r\n'),
    v2(1, 0x11, [...V4_BLOCK, 0x04, 0x00, 0x01, 0x61]),
    v2(1, 0x21, [...Array<number>(16).fill(1), ...Array<number>(16).fill(2), ...port(1), ...port(2)]),
    v2(0, 0x00, []),
  ];

  /** A valid header with a few bytes changed, dropped, doubled or cut. */
  function mutate(input: Buffer): Buffer {
    const bytes = [...input];
    for (let edits = 1 + int(4); edits > 0; edits--) {
      const at = int(bytes.length);
      const kind = int(4);
      if (kind === 0) bytes[at] = int(256);
      else if (kind === 1) bytes.splice(at, 1);
      else if (kind === 2) bytes.splice(at, 0, bytes[at] ?? 0);
      else bytes.length = at;
    }
    return Buffer.from(bytes);
  }

  it('never throws, and a header it takes lies within the bytes and names a real address', () => {
    const inputs = [
      ...Array.from({ length: 3000 }, () => mutate(VALID[int(VALID.length)] ?? Buffer.alloc(0))),
      ...Array.from({ length: 1000 }, () => Buffer.from(Array.from({ length: int(64) }, () => int(256)))),
    ];
    let taken = 0;
    for (const input of inputs) {
      const reading = readProxyHeader(input);
      if (reading.kind !== 'header') continue;
      taken++;
      expect(reading.length).toBeLessThanOrEqual(input.length);
      if (reading.source !== undefined) expect(isIP(reading.source.address)).not.toBe(0);
      if (reading.source !== undefined) expect(reading.source.port).toBeLessThanOrEqual(65535);
    }
    // The mutations leave some headers whole: the property is checked, not only the refusals.
    expect(taken).toBeGreaterThan(100);
  });
});
