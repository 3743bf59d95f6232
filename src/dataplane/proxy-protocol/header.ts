// The PROXY protocol header (HAProxy's spec, versions 1 and 2) that a load balancer in front of
// Bollard (AWS NLB, HAProxy, …) writes at the start of each connection to say who the client is.
// Parsing only: reading it off a socket is front.ts's job. A connection's bytes either start with
// a whole header, are a prefix of one (wait for more), or cannot be one (refuse the connection:
// with the protocol on, nginx refuses them too, since the client address would be the balancer's).
import { isIPv4, isIPv6, SocketAddress } from 'node:net';

export interface PeerAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

export type RefusalReason = 'missing' | 'malformed' | 'too_long' | 'timeout';

export type HeaderReading =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: Exclude<RefusalReason, 'timeout'> }
  /** `source` is undefined when the header names no client (v1 UNKNOWN, v2 LOCAL or a non-IP family): the connection's own peer stands. */
  | { readonly kind: 'header'; readonly length: number; readonly source: PeerAddress | undefined };

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** v1: the whole line, CRLF included, is at most 107 bytes. */
const V1_MAX = 107;
const V1_FAMILIES: ReadonlyMap<string, PeerAddress['family']> = new Map([['TCP4', 'IPv4'], ['TCP6', 'IPv6']]);
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED = 16;
/**
 * v2 headers may carry up to 64 KiB of TLVs; balancers send a few dozen bytes (AWS: the VPC
 * endpoint, GCP: the PSC connection). Refused beyond this, so a connection never holds much.
 */
export const V2_MAX = 4096;
const INCOMPLETE = { kind: 'incomplete' } as const;
const PORT = /^(0|[1-9]\d{0,4})$/;

/** Whether `bytes` (shorter than `whole`) could still become `whole`. */
function startsLike(bytes: Buffer, whole: Buffer): boolean {
  const n = Math.min(bytes.length, whole.length);
  return bytes.subarray(0, n).equals(whole.subarray(0, n));
}

/** Reads the header at the start of `bytes`, all the connection has sent so far. */
export function readProxyHeader(bytes: Buffer): HeaderReading {
  if (startsLike(bytes, V2_SIGNATURE)) return bytes.length < V2_FIXED ? INCOMPLETE : readV2(bytes);
  if (startsLike(bytes, V1_PREFIX)) return readV1(bytes);
  return { kind: 'invalid', reason: 'missing' };
}

/** Bytes the header takes at least, once `bytes` holds its start: lets the reader wait without parsing. */
export function headerLengthAtLeast(bytes: Buffer): number {
  if (bytes.length >= V2_FIXED && startsLike(bytes, V2_SIGNATURE)) return V2_FIXED + bytes.readUInt16BE(14);
  return 0;
}

function readV1(bytes: Buffer): HeaderReading {
  const end = bytes.indexOf('\r\n', 0, 'latin1');
  if (end === -1) return bytes.length >= V1_MAX ? { kind: 'invalid', reason: 'too_long' } : INCOMPLETE;
  if (end + 2 > V1_MAX) return { kind: 'invalid', reason: 'too_long' };
  const fields = bytes.toString('latin1', V1_PREFIX.length, end).split(' ');
  const length = end + 2;
  // UNKNOWN: the balancer could not tell; whatever follows on the line is ignored.
  if (fields[0] === 'UNKNOWN') return { kind: 'header', length, source: undefined };
  const source = v1Source(fields);
  return source === undefined ? { kind: 'invalid', reason: 'malformed' } : { kind: 'header', length, source };
}

/** `TCP4|TCP6 <source> <destination> <source port> <destination port>`, each checked. */
function v1Source(fields: readonly string[]): PeerAddress | undefined {
  const family = V1_FAMILIES.get(fields[0] ?? '');
  if (family === undefined || fields.length !== 5) return undefined;
  const [, src = '', dst = '', srcPort = '', dstPort = ''] = fields;
  const isIp = family === 'IPv4' ? isIPv4 : isPlainIPv6;
  if (![src, dst].every(isIp) || ![srcPort, dstPort].every(isPort)) return undefined;
  // One text per address (as v2's and the socket's), so logs and rate limits see one client.
  const address = family === 'IPv4' ? src : new SocketAddress({ address: src, family: 'ipv6' }).address;
  return { address, port: Number(srcPort), family };
}

/** An IPv6 address without a zone (`%eth0` names an interface of the balancer, not a client). */
function isPlainIPv6(text: string): boolean {
  return isIPv6(text) && !text.includes('%');
}

function isPort(text: string): boolean {
  return PORT.test(text) && Number(text) <= 65535;
}

function readV2(bytes: Buffer): HeaderReading {
  const length = V2_FIXED + bytes.readUInt16BE(14);
  if (length > V2_MAX) return { kind: 'invalid', reason: 'too_long' };
  const versionCommand = bytes[12] ?? 0;
  const command = versionCommand & 0x0f;
  if (versionCommand >> 4 !== 2 || command > 1) return { kind: 'invalid', reason: 'malformed' };
  if (bytes.length < length) return INCOMPLETE;
  // LOCAL (the balancer's own health check): the connection's endpoints are the real ones.
  if (command === 0) return { kind: 'header', length, source: undefined };
  const family = bytes[13] ?? 0;
  const block = bytes.subarray(V2_FIXED, length);
  // Only TCP over IPv4 and IPv6 name a client we can use; UNSPEC, UDP and UNIX keep the
  // connection's own peer, as the spec asks of a receiver that does not use the family.
  if (family === 0x11) return block.length < 12 ? { kind: 'invalid', reason: 'malformed' } : { kind: 'header', length, source: v4Source(block) };
  if (family === 0x21) return block.length < 36 ? { kind: 'invalid', reason: 'malformed' } : { kind: 'header', length, source: v6Source(block) };
  return { kind: 'header', length, source: undefined };
}

function v4Source(block: Buffer): PeerAddress {
  return { address: [...block.subarray(0, 4)].join('.'), port: block.readUInt16BE(8), family: 'IPv4' };
}

function v6Source(block: Buffer): PeerAddress {
  return { address: formatIPv6(block.subarray(0, 16)), port: block.readUInt16BE(32), family: 'IPv6' };
}

/** RFC 5952 text, as Node shows a peer's address (IPv4-mapped ones as ::ffff:a.b.c.d). */
export function formatIPv6(raw: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => raw.readUInt16BE(2 * i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${[...raw.subarray(12, 16)].join('.')}`;
  // The longest run of two or more zero groups (the first of equal ones) becomes "::".
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at === -1) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}
