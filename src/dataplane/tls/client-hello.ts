// Reads the server name (SNI, RFC 6066 §3) from the start of a TLS connection, before any TLS
// library sees it, so the certificate's context can be chosen up front. Node's SNICallback swaps
// contexts inside OpenSSL's handshake, and on TLS 1.3 a swapped-in context whose key type differs
// from the server's default is silently ignored (nodejs/node#54235): RSA Secrets got the default
// ECDSA certificate. Choosing before the handshake leaves nothing to swap.
//
// The ClientHello may span several TLS records and TCP segments.

/** Record layer (RFC 8446 §5.1) and handshake (§4) constants. */
const RECORD_HEADER = 5;
const CONTENT_HANDSHAKE = 0x16;
const HANDSHAKE_HEADER = 4;
const CLIENT_HELLO = 1;
const MAX_RECORD = 16_384 + 2_048;
const EXT_SERVER_NAME = 0;
const NAME_TYPE_HOST = 0;
/** A ClientHello larger than this is not read here; the TLS library gets it with the default context. */
export const MAX_CLIENT_HELLO = 64 * 1024;

export type HelloInspection =
  /** `servername`: lower-cased host name, or undefined when the client sent none (or an unusable one). */
  | { readonly kind: 'hello'; readonly servername: string | undefined }
  /** Not a TLS ClientHello we can read (plain HTTP, SSLv2, oversized): the TLS library decides. */
  | { readonly kind: 'unreadable'; readonly reason: string };

/**
 * Fed the connection's bytes as they arrive; answers once the ClientHello is complete (or can't
 * be read). Each byte is copied a bounded number of times, whatever the chunking, so a hello
 * dripped a byte at a time or cut into one-byte records costs time linear in its size.
 */
export class ClientHelloReader {
  /** Everything received, to be replayed into the TLS library. */
  private readonly received: Buffer[] = [];
  private receivedBytes = 0;
  /** Received bytes not yet consumed by the record parser. */
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The next step: a record header, or the body of a record of `recordLength` bytes. */
  private expecting: 'header' | 'body' = 'header';
  private recordLength = 0;
  private readonly handshake: Buffer[] = [];
  private handshakeBytes = 0;
  /** The ClientHello's size with its header, once known; 0 before. */
  private wanted = 0;
  private result: HelloInspection | undefined;

  /** The bytes received so far, as one buffer. */
  bytes(): Buffer {
    return this.received.length === 1 ? this.received[0] ?? Buffer.alloc(0) : Buffer.concat(this.received, this.receivedBytes);
  }

  push(chunk: Buffer): HelloInspection | undefined {
    if (this.result !== undefined) return this.result;
    this.received.push(chunk);
    this.receivedBytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.result = this.advance();
    return this.result;
  }

  private advance(): HelloInspection | undefined {
    while (this.pendingBytes >= this.step()) {
      const result = this.consume(this.take(this.step()));
      if (result !== undefined) return result;
    }
    return this.receivedBytes > MAX_CLIENT_HELLO ? { kind: 'unreadable', reason: 'ClientHello too large' } : undefined;
  }

  private step(): number {
    return this.expecting === 'header' ? RECORD_HEADER : this.recordLength;
  }

  private consume(bytes: Buffer): HelloInspection | undefined {
    if (this.expecting === 'header') {
      this.recordLength = bytes.readUInt16BE(3);
      if (bytes[0] !== CONTENT_HANDSHAKE || bytes[1] !== 3) return { kind: 'unreadable', reason: 'not a TLS handshake record' };
      if (this.recordLength === 0 || this.recordLength > MAX_RECORD) return { kind: 'unreadable', reason: 'bad record length' };
      this.expecting = 'body';
      return undefined;
    }
    this.expecting = 'header';
    this.handshake.push(bytes);
    this.handshakeBytes += bytes.length;
    if (this.wanted === 0 && this.handshakeBytes >= HANDSHAKE_HEADER) {
      const problem = this.readHandshakeHeader();
      if (problem !== undefined) return problem;
    }
    if (this.wanted === 0 || this.handshakeBytes < this.wanted) return undefined;
    return readClientHello(Buffer.concat(this.handshake, this.handshakeBytes).subarray(HANDSHAKE_HEADER, this.wanted));
  }

  private readHandshakeHeader(): HelloInspection | undefined {
    const head = Buffer.concat(this.handshake, this.handshakeBytes);
    this.handshake.length = 0;
    this.handshake.push(head);
    if (head[0] !== CLIENT_HELLO) return { kind: 'unreadable', reason: 'first handshake message is not a ClientHello' };
    this.wanted = HANDSHAKE_HEADER + head.readUIntBE(1, 3);
    return this.wanted > MAX_CLIENT_HELLO ? { kind: 'unreadable', reason: 'ClientHello too large' } : undefined;
  }

  /** Removes the first `n` pending bytes (n <= pendingBytes). */
  private take(n: number): Buffer {
    this.pendingBytes -= n;
    const first = this.pending[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.pending[0];
      if (chunk === undefined) break;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(used);
    }
    return out;
  }
}

/** A bounds-checked reader over the ClientHello body; any overrun makes the hello unreadable. */
class Cursor {
  at = 0;
  readonly buf: Buffer;
  readonly end: number;

  constructor(buf: Buffer, end: number = buf.length) {
    this.buf = buf;
    this.end = end;
  }

  skip(n: number): boolean {
    this.at += n;
    return this.at <= this.end;
  }

  u8(): number | undefined {
    return this.at + 1 <= this.end ? this.buf[this.at++] : undefined;
  }

  u16(): number | undefined {
    if (this.at + 2 > this.end) return undefined;
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }

  /** Skips a vector whose length prefix is `prefix` bytes. */
  skipVector(prefix: 1 | 2): boolean {
    const n = prefix === 1 ? this.u8() : this.u16();
    return n !== undefined && this.skip(n);
  }
}

function readClientHello(body: Buffer): HelloInspection {
  const c = new Cursor(body);
  // legacy_version, random, legacy_session_id, cipher_suites, legacy_compression_methods
  if (!c.skip(2 + 32) || !c.skipVector(1) || !c.skipVector(2) || !c.skipVector(1)) return malformed();
  if (c.at === body.length) return { kind: 'hello', servername: undefined }; // no extensions at all
  const total = c.u16();
  if (total === undefined || c.at + total > body.length) return malformed();
  return findServerName(c, c.at + total);
}

/** Walks the extensions up to `end` for server_name. */
function findServerName(c: Cursor, end: number): HelloInspection {
  while (c.at < end) {
    const type = c.u16();
    const length = c.u16();
    if (type === undefined || length === undefined || c.at + length > end) return malformed();
    if (type === EXT_SERVER_NAME) return { kind: 'hello', servername: readServerName(new Cursor(c.buf, c.at + length), c.at) };
    c.skip(length);
  }
  return { kind: 'hello', servername: undefined };
}

/** The first host_name entry of a server_name extension, if it is a plausible DNS name. */
function readServerName(c: Cursor, start: number): string | undefined {
  c.at = start;
  const listLength = c.u16();
  if (listLength === undefined) return undefined;
  const listEnd = Math.min(c.end, c.at + listLength);
  while (c.at < listEnd) {
    const type = c.u8();
    const length = c.u16();
    if (type === undefined || length === undefined || c.at + length > listEnd) return undefined;
    if (type === NAME_TYPE_HOST) return hostName(c.buf.toString('latin1', c.at, c.at + length));
    c.skip(length);
  }
  return undefined;
}

const HOST_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/;

function hostName(raw: string): string | undefined {
  const name = raw.toLowerCase();
  if (name.length === 0 || name.length > 253 || !HOST_NAME.test(name)) return undefined;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function malformed(): HelloInspection {
  return { kind: 'unreadable', reason: 'malformed ClientHello' };
}
