// Bytes of a request head still arriving. A head that arrives in one chunk is kept as it is; one
// in several chunks is appended to a store that doubles when full (each byte copied about once,
// never the whole buffer per chunk), and the search for the blank line (CRLF CRLF) looks only at
// the new bytes (and the three held before them) instead of starting over. So a head dripped one
// byte per chunk costs work linear in its size. A drip's cost is per chunk more than per byte, so
// its chunks take a short path: one bound check, then each byte is copied and, only if it is a
// LF, the three bytes before it are compared; nothing allocated, no search state kept, not even
// counters (the bytes it added are counted when read). Counters of bytes scanned and copied, and
// of stores allocated, let a unit test check all this without timing it.

const CR = 13;
const LF = 10;
const BLANK_LINE = '\r\n\r\n';
const EMPTY = Buffer.alloc(0);
const FIRST_STORE_BYTES = 1024;
/** Chunks below this size are copied byte by byte: cheaper than Buffer#copy for a dripped byte. */
const BYTEWISE_BELOW = 16;

/** The blank line after a head: how far into it the bytes seen so far end (0-3), then a byte. */
function step(matched: number, byte: number | undefined): number {
  if (byte === ((matched & 1) === 0 ? CR : LF)) return matched + 1;
  return byte === CR ? 1 : 0;
}

export class HeadBuffer {
  /** Stores allocated, over the buffer's life. */
  stores = 0;
  /** Bytes scanned and copied other than by the short path, and by it in earlier heads. */
  private scannedElsewhere = 0;
  private copiedElsewhere = 0;
  /** Bytes of the current head added other than by the short path (which copies and scans each once). */
  private bytesElsewhere = 0;
  /** Past this many bytes without a blank line, push() reports the head too large. */
  private readonly cap: number;
  /** The only chunk, kept by reference, while there is just one. */
  private single: Buffer = EMPTY;
  /** Where several chunks are joined; its first `bytes` bytes are the buffer's content. */
  private store: Buffer = EMPTY;
  private bytes = 0;
  /** Where the blank line ends (offset past its LF), once found; else -1. */
  private headEnd = -1;
  /**
   * How many bytes the short path may hold: the store's size or the cap, whichever is smaller,
   * while a store is in use and no head found; else 0. One comparison decides a drip's path.
   */
  private dripRoom = 0;

  constructor(cap: number) {
    this.cap = cap;
  }

  get length(): number {
    return this.bytes;
  }

  /**
   * Bytes looked at while searching for the blank line, over the buffer's life: each new byte
   * once; the up to three held bytes a chunk's search begins with are not counted.
   */
  get scanned(): number {
    return this.scannedElsewhere + this.bytes - this.bytesElsewhere;
  }

  /** Bytes copied to join chunks, over the buffer's life. */
  get copied(): number {
    return this.copiedElsewhere + this.bytes - this.bytesElsewhere;
  }

  /**
   * Adds bytes; empty lines before a request line (RFC 9112 §2.2: CR and LF) are dropped. True
   * when the caller has something to do: the first bytes of a head arrived, the head is complete,
   * or the bytes held pass the cap.
   */
  push(chunk: Buffer): boolean {
    const at = this.bytes;
    const count = chunk.length;
    if (count === 1 && at < this.dripRoom) return this.dripByte(chunk[0] ?? 0, at);
    if (count < BYTEWISE_BELOW && at + count <= this.dripRoom) return this.drip(chunk, count, at);
    this.pushAny(chunk);
    return (at === 0 && this.bytes > 0) || this.headEnd !== -1 || this.bytes > this.cap;
  }

  /** The length of the head with its blank line, or -1 while it is incomplete. */
  headLength(): number {
    return this.headEnd;
  }

  /** Everything buffered, as one Buffer (no copy), and the buffer emptied. */
  take(): Buffer {
    const all = this.single === EMPTY ? this.store.subarray(0, this.bytes) : this.single;
    this.clear();
    return all;
  }

  clear(): void {
    const dripped = this.bytes - this.bytesElsewhere;
    this.scannedElsewhere += dripped;
    this.copiedElsewhere += dripped;
    this.bytesElsewhere = 0;
    this.single = EMPTY;
    this.store = EMPTY;
    this.bytes = 0;
    this.headEnd = -1;
    this.dripRoom = 0;
  }

  /** The short path for one byte: see drip(). */
  private dripByte(byte: number, at: number): boolean {
    const store = this.store;
    store[at] = byte;
    this.bytes = at + 1;
    if (byte !== LF || !endsBlankLine(store, at)) return false;
    this.found(at + 1);
    return true;
  }

  /**
   * Copies `count` bytes of `input` behind the `at` held in the store, which has room for them
   * within the cap; a blank line ends at a LF preceded by CR LF CR (the store holds them all).
   */
  private drip(input: Buffer, count: number, at: number): boolean {
    const store = this.store;
    this.bytes = at + count;
    for (let i = 0; i < count; i++) {
      const byte = input[i] ?? 0;
      store[at + i] = byte;
      if (byte === LF && endsBlankLine(store, at + i)) {
        for (let j = i + 1; j < count; j++) store[at + j] = input[j] ?? 0;
        // Copied but, behind the head, not searched.
        this.scannedElsewhere -= count - i - 1;
        this.found(at + i + 1);
        return true;
      }
    }
    return false;
  }

  private pushAny(chunk: Buffer): void {
    let input = chunk;
    if (this.bytes === 0) input = skipEmptyLines(input);
    if (input.length === 0) return;
    const at = this.bytes;
    this.bytesElsewhere += input.length;
    this.append(input);
    if (this.headEnd === -1) this.search(input, at);
  }

  /** Looks for the blank line in `input`, which follows the `at` bytes held before it. */
  private search(input: Buffer, at: number): void {
    // A blank line begun in the last bytes held may end in the first three of this chunk.
    let matched = this.heldMatch(at);
    const lead = Math.min(3, input.length);
    for (let i = 0; i < lead; i++) {
      matched = step(matched, input[i]);
      if (matched === 4) {
        this.scannedElsewhere += i + 1;
        this.found(at + i + 1);
        return;
      }
    }
    this.scannedElsewhere += lead;
    if (input.length === lead) return;
    // The search goes on from the partial blank line the first bytes end with, if any.
    const from = lead - matched;
    const end = input.indexOf(BLANK_LINE, from, 'latin1');
    this.scannedElsewhere += (end === -1 ? input.length : end + 4) - from;
    if (end !== -1) this.found(at + end + 4);
  }

  /** How far into a blank line the first `held` bytes (at most their last three) end. */
  private heldMatch(held: number): number {
    const bytes = this.single === EMPTY ? this.store : this.single;
    let matched = 0;
    for (let i = Math.max(0, held - 3); i < held; i++) matched = step(matched, bytes[i]);
    return matched;
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
    this.copiedElsewhere += input.length;
  }

  /** A store with room for `need` bytes holding the first `held` bytes. */
  private room(held: number, need: number): Buffer {
    const old = this.single === EMPTY ? this.store : this.single;
    if (this.single === EMPTY && old.length >= need) return old;
    const store = Buffer.allocUnsafe(Math.max(need, 2 * (this.store.length || FIRST_STORE_BYTES / 2)));
    old.copy(store, 0, 0, held);
    this.copiedElsewhere += held;
    this.stores++;
    this.single = EMPTY;
    this.store = store;
    this.dripRoom = Math.min(store.length, this.cap);
    return store;
  }

  private found(end: number): void {
    this.headEnd = end;
    this.dripRoom = 0;
  }
}

/** Whether the LF at `end` in `store` ends a blank line: CR LF CR before it. */
function endsBlankLine(store: Buffer, end: number): boolean {
  return end >= 3 && store[end - 1] === CR && store[end - 2] === LF && store[end - 3] === CR;
}

function skipEmptyLines(input: Buffer): Buffer {
  let at = 0;
  while (at < input.length && (input[at] === CR || input[at] === LF)) at++;
  return at === 0 ? input : input.subarray(at);
}
