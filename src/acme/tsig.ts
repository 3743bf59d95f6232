// Transaction signatures (RFC 8945) for DNS updates: a request is signed with an HMAC over the
// message and the TSIG variables, and the server's answer is checked with the request's MAC —
// so only holders of the shared key change the zone, and a forged answer is noticed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS, RCODE_NAMES, TYPE, decodeMessage, encodeName, encodeRecord, type ResourceRecord } from './dns-message.ts';
import { Dns01Error } from './errors.ts';

export type TsigAlgorithm = 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

export interface TsigKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  /** The shared secret (decoded from its base64 form). */
  readonly secret: Buffer;
}

const FUDGE_SECONDS = 300;
const hashOf = (a: TsigAlgorithm): string => a.slice('hmac-'.length);
const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u48 = (n: number): Buffer => { const b = Buffer.alloc(6); b.writeUIntBE(n, 0, 6); return b; };

interface Timers { readonly time: number; readonly fudge: number; readonly error: number; readonly other: Buffer }

/** The TSIG variables that go into the MAC after the message (RFC 8945 §4.3.3). */
function variables(key: TsigKey, t: Timers): Buffer {
  return Buffer.concat([encodeName(key.name), u16(CLASS.ANY), Buffer.alloc(4), encodeName(key.algorithm), u48(t.time), u16(t.fudge), u16(t.error), u16(t.other.length), t.other]);
}

const mac = (key: TsigKey, parts: readonly Buffer[]): Buffer => {
  const h = createHmac(hashOf(key.algorithm), key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Appends a TSIG record to `message` (which has none); returns the signed message and its MAC. */
export function signMessage(message: Buffer, key: TsigKey, nowSeconds: number): { signed: Buffer; mac: Buffer } {
  const t: Timers = { time: Math.floor(nowSeconds), fudge: FUDGE_SECONDS, error: 0, other: Buffer.alloc(0) };
  const digest = mac(key, [message, variables(key, t)]);
  const id = message.readUInt16BE(0);
  const rdata = Buffer.concat([encodeName(key.algorithm), u48(t.time), u16(t.fudge), u16(digest.length), digest, u16(id), u16(0), u16(0)]);
  const record: ResourceRecord = { name: key.name, type: TYPE.TSIG, class: CLASS.ANY, ttl: 0, data: rdata };
  const head = Buffer.from(message);
  head.writeUInt16BE(head.readUInt16BE(10) + 1, 10);
  return { signed: Buffer.concat([head, encodeRecord(record)]), mac: digest };
}

interface ParsedTsig { readonly times: Timers; readonly mac: Buffer; readonly originalId: number }

function parseTsig(data: Buffer): ParsedTsig {
  let at = 0;
  while (at < data.length && data[at] !== 0) at += 1 + (data[at] ?? 0);
  at += 1;
  const time = data.readUIntBE(at, 6);
  const fudge = data.readUInt16BE(at + 6);
  const macLength = data.readUInt16BE(at + 8);
  const digest = data.subarray(at + 10, at + 10 + macLength);
  const rest = at + 10 + macLength;
  const otherLength = data.readUInt16BE(rest + 4);
  return { times: { time, fudge, error: data.readUInt16BE(rest + 2), other: data.subarray(rest + 6, rest + 6 + otherLength) }, mac: digest, originalId: data.readUInt16BE(rest) };
}

/** Checks the server's TSIG on `response` to a request whose MAC was `requestMac`; throws Dns01Error. */
export function verifyResponse(response: Buffer, requestMac: Buffer, key: TsigKey): void {
  const decoded = decodeMessage(response);
  const tsig = decoded.additional.at(-1);
  if (tsig?.type !== TYPE.TSIG) throw new Dns01Error('the DNS server answered without a TSIG signature');
  const parsed = parseTsig(tsig.data);
  if (parsed.times.error !== 0) throw new Dns01Error(`the DNS server refused the TSIG key ${key.name}: ${RCODE_NAMES[parsed.times.error] ?? parsed.times.error}`);
  const rdataAt = tsig.data.byteOffset - response.byteOffset;
  const recordAt = rdataAt - 10 - encodeName(key.name).length;
  const unsigned = Buffer.from(response.subarray(0, recordAt));
  unsigned.writeUInt16BE(parsed.originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  const expected = mac(key, [u16(requestMac.length), requestMac, unsigned, variables(key, parsed.times)]);
  if (expected.length !== parsed.mac.length || !timingSafeEqual(expected, parsed.mac)) throw new Dns01Error('the DNS server\'s TSIG signature does not verify');
}
