// The few DNS wire-format pieces (RFC 1035, RFC 2136) that DNS-01 needs: encoding names,
// questions and resource records into a message, and decoding a response (with name
// compression) to read its rcode, TXT answers and SOA records. Nothing else of DNS is here.

export const TYPE = { A: 1, NS: 2, SOA: 6, TXT: 16, TSIG: 250, ANY: 255 } as const;
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE = { QUERY: 0, UPDATE: 5 } as const;
export const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
  16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME',
};

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: Buffer;
}

export interface Message {
  readonly id: number;
  readonly flags: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
}

export class DnsFormatError extends Error {
  readonly code = 'ERR_BOLLARD_DNS_FORMAT';
}

/** A domain name in wire format (lower-cased, as TSIG's canonical form wants it), root included. */
export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label.toLowerCase(), 'ascii');
    if (bytes.length > 63) throw new DnsFormatError(`label too long in ${name}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

const u16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

export function encodeRecord(r: ResourceRecord): Buffer {
  return Buffer.concat([encodeName(r.name), u16(r.type), u16(r.class), u32(r.ttl), u16(r.data.length), r.data]);
}

/** Header flags of a request with this opcode (QR = 0, no recursion desired). */
export const requestFlags = (opcode: number): number => (opcode & 0xf) << 11;
export const rcodeOf = (flags: number): number => flags & 0xf;

export function encodeMessage(m: Message): Buffer {
  const header = Buffer.concat([u16(m.id), u16(m.flags), u16(m.questions.length), u16(m.answers.length), u16(m.authority.length), u16(m.additional.length)]);
  const questions = m.questions.map((q) => Buffer.concat([encodeName(q.name), u16(q.type), u16(q.class)]));
  return Buffer.concat([header, ...questions, ...[...m.answers, ...m.authority, ...m.additional].map(encodeRecord)]);
}

/** TXT rdata: the value as character-strings of at most 255 bytes. */
export function txtData(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

export function parseTxt(data: Buffer): string {
  let out = '';
  for (let i = 0; i < data.length;) {
    const len = data[i] ?? 0;
    out += data.subarray(i + 1, i + 1 + len).toString('utf8');
    i += 1 + len;
  }
  return out;
}

/** Reads a (possibly compressed) name at `offset`; returns it and the offset after it. */
function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let at = offset;
  let next = -1;
  for (let hops = 0; hops < 128; hops++) {
    const len = buf[at];
    if (len === undefined) throw new DnsFormatError('name runs past the message');
    if (len === 0) return { name: labels.join('.'), next: next === -1 ? at + 1 : next };
    if ((len & 0xc0) === 0xc0) {
      if (next === -1) next = at + 2;
      at = buf.readUInt16BE(at) & 0x3fff;
      continue;
    }
    labels.push(buf.subarray(at + 1, at + 1 + len).toString('ascii'));
    at += 1 + len;
  }
  throw new DnsFormatError('name compression loop');
}

function readRecords(buf: Buffer, count: number, offset: number): { records: ResourceRecord[]; next: number } {
  const records: ResourceRecord[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const { name, next } = readName(buf, at);
    if (next + 10 > buf.length) throw new DnsFormatError('record runs past the message');
    const length = buf.readUInt16BE(next + 8);
    records.push({ name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2), ttl: buf.readUInt32BE(next + 4), data: buf.subarray(next + 10, next + 10 + length) });
    at = next + 10 + length;
  }
  return { records, next: at };
}

export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new DnsFormatError('message shorter than its header');
  const counts = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o));
  const questions: Question[] = [];
  let at = 12;
  for (let i = 0; i < (counts[0] ?? 0); i++) {
    const { name, next } = readName(buf, at);
    questions.push({ name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    at = next + 4;
  }
  const answers = readRecords(buf, counts[1] ?? 0, at);
  const authority = readRecords(buf, counts[2] ?? 0, answers.next);
  const additional = readRecords(buf, counts[3] ?? 0, authority.next);
  return { id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2), questions, answers: answers.records, authority: authority.records, additional: additional.records };
}
