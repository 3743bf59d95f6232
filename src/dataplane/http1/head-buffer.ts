// Bytes of a request head still arriving. A head that arrives in one chunk is kept as it is; one
// in several chunks is appended to a store that doubles when full (each byte copied about once,
// never the whole buffer per chunk), and the search for the blank line (CRLF CRLF) resumes where
// it stopped instead of starting over. So a head dripped one byte per chunk costs work linear in
// its size. A drip's chunks take a short path (copy and search in one loop, no allocation), as
// its cost is per chunk more than per byte. Counters of bytes scanned and copied, and of stores
// allocated, let a unit test check all this without timing it.

const CR = 13;
const LF = 10;
const BLANK_LINE = '\r\n\r\n';
const EMPTY = Buffer.alloc(0);
const FIRST_STORE_BYTES = 1024;
/** Chunks up to this size are copied byte by byte: cheaper than Buffer#copy for a dripped byte. */
const BYTEWISE_BELOW = 16;

/** The blank line after a head: how far into it the bytes seen so far end (0-3), then a byte. */
function step(matched: number, byte: number | undefined): number {
  if (byte === ((matched & 1) === 0 ? CR : LF)) return matched + 1;
  return byte === CR ? 1 : 0;
}

export class HeadBuffer {
  /** Bytes looked at while searching for the blank line, over the buffer's life. */
  scanned = 0;
  /** Bytes copied to join chunks, over the buffer's life. */
  copied = 0;
  /** Stores allocated, over the buffer's life. */
  stores = 0;
  /** The only chunk, kept by reference, while there is just one. */
  private single: Buffer = EMPTY;
  /** Where several chunks are joined; its first `bytes` bytes are the buffer's content. */
  private store: Buffer | undefined;
  private bytes = 0;
  /** Where the blank line ends (offset past its LF), once found; else -1. */
  private headEnd = -1;
  /** How much of the blank line the bytes so far end with (0-3). */
  private matched = 0;

  get length(): number {
    return this.bytes;
  }

  /** Adds bytes; empty lines before a request line (RFC 9112 §2.2: CR and LF) are dropped. */
  push(chunk: Buffer): void {
    const store = this.store;
    const at = this.bytes;
    // A drip (a few more bytes of an unfinished head, with room for them) takes the short way:
    // the chunk's bytes are copied and searched in one pass, nothing allocated, few calls.
    if (store !== undefined && this.headEnd === -1 && chunk.length < BYTEWISE_BELOW && at + chunk.length <= store.length) this.drip(chunk, store, at);
    else this.pushAny(chunk);
  }

  /** The length of the head with its blank line, or -1 while it is incomplete. */
  headLength(): number {
    return this.headEnd;
  }

  /** Everything buffered, as one Buffer (no copy), and the buffer emptied. */
  take(): Buffer {
    const all = this.store === undefined ? this.single : this.store.subarray(0, this.bytes);
    this.clear();
    return all;
  }

  clear(): void {
    this.single = EMPTY;
    this.store = undefined;
    this.bytes = 0;
    this.headEnd = -1;
    this.matched = 0;
  }

  /** Copies `input` behind the `at` bytes held in `store`, which has room, looking for the blank line. */
  private drip(input: Buffer, store: Buffer, at: number): void {
    const count = input.length;
    let matched = this.matched;
    for (let i = 0; i < count; i++) {
      const byte = input[i] ?? 0;
      store[at + i] = byte;
      if (matched === 4) continue;
      matched = step(matched, byte);
      if (matched === 4) this.found(i + 1);
    }
    this.matched = matched === 4 ? 0 : matched;
    this.bytes = at + count;
    this.scanned += this.headEnd === -1 ? count : this.headEnd - at;
    this.copied += count;
  }

  private pushAny(chunk: Buffer): void {
    let input = chunk;
    if (this.bytes === 0) input = skipEmptyLines(input);
    if (input.length === 0) return;
    if (this.headEnd === -1) this.search(input);
    this.append(input);
  }

  /** Looks for the blank line in `input`, which follows the bytes already held. */
  private search(input: Buffer): void {
    // A blank line begun in earlier chunks may end in the first three bytes of this one.
    const lead = Math.min(3, input.length);
    let matched = this.matched;
    for (let i = 0; i < lead; i++) {
      matched = step(matched, input[i]);
      if (matched === 4) {
        this.scanned += i + 1;
        this.found(i + 1);
        return;
      }
    }
    this.scanned += lead;
    if (input.length === lead) {
      this.matched = matched;
      return;
    }
    // The search goes on from the partial blank line the first bytes end with, if any.
    const from = lead - matched;
    const at = input.indexOf(BLANK_LINE, from, 'latin1');
    this.scanned += (at === -1 ? input.length : at + 4) - from;
    if (at !== -1) {
      this.found(at + 4);
      return;
    }
    // Only the last three bytes can begin a blank line that ends in a later chunk.
    matched = 0;
    for (let i = input.length - 3; i < input.length; i++) matched = step(matched, input[i]);
    this.matched = matched;
  }

  private append(input: Buffer): void {
    const at = this.bytes;
    const need = at + input.length;
    this.bytes = need;
    if (at === 0) {
      this.single = input;
      return;
    }
    const store = this.room(at, need);
    if (input.length < BYTEWISE_BELOW) for (let i = 0; i < input.length; i++) store[at + i] = input[i] ?? 0;
    else input.copy(store, at);
    this.copied += input.length;
  }

  /** A store with room for `need` bytes holding the first `held` bytes. */
  private room(held: number, need: number): Buffer {
    const old = this.store;
    if (old !== undefined && old.length >= need) return old;
    const store = Buffer.allocUnsafe(Math.max(need, 2 * (old?.length ?? FIRST_STORE_BYTES / 2)));
    (old ?? this.single).copy(store, 0, 0, held);
    this.copied += held;
    this.stores++;
    this.single = EMPTY;
    this.store = store;
    return store;
  }

  private found(endInInput: number): void {
    this.headEnd = this.bytes + endInInput;
    this.matched = 0;
  }
}

function skipEmptyLines(input: Buffer): Buffer {
  let at = 0;
  while (at < input.length && (input[at] === CR || input[at] === LF)) at++;
  return at === 0 ? input : input.subarray(at);
}
