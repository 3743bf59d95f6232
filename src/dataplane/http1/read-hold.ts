// Read coalescing for a client that drips its request head. Each read of a socket costs Node a
// wake-up, a syscall and a Buffer, whatever it returns, so a head sent one byte per segment costs
// tens of times the same head in one segment however cheap the parser is. Past a budget of reads
// for one head, reading stops for a while after each read: the kernel keeps the bytes that arrive
// meanwhile, and the next read returns them together. The pause starts at 1 ms and doubles with
// each read of the same head, up to MAX_HOLD_MS (each wake-up after a pause costs more than a
// read does, so a fast drip should cost few of them). A head that arrives in one read, or a few,
// never waits; a dripping one is answered at most MAX_HOLD_MS after its last byte, and its head
// deadline (slowloris) runs as before.
//
// net.Socket#pause() does not stop reading (the stream keeps reading into its buffer up to its
// 64 KiB high-water mark; only sockets made with `onread` stop), so the hold stops the socket's
// stream handle itself: readStop() and, later, readStart() — also on a TLS socket, whose handle
// passes them to the TCP stream under it. The handle's `reading` flag, Node's record of whether
// it wants data, is left as it is, so Node never restarts it behind the hold, and the hold only
// restarts a handle Node still wants read. A socket without such a handle is never held.
import type { Socket } from 'node:net';

/** Reads of one request head before its reads are spaced out; a head rarely takes more than a few. */
export const READS_BEFORE_HOLD = 32;
/** How long reading stops after the first read past the budget; each next pause doubles it. */
export const FIRST_HOLD_MS = 1;
/** The longest pause, and so the longest a dripped head's answer can be delayed. */
export const MAX_HOLD_MS = 16;

/** The part of a libuv stream handle (TCP, or TLS over it) the hold uses. */
interface StreamHandle {
  readonly reading?: unknown;
  readStart(): number;
  readStop(): number;
}

function streamHandle(socket: Socket): StreamHandle | undefined {
  const handle = (socket as unknown as { _handle?: unknown })._handle;
  if (typeof handle !== 'object' || handle === null) return undefined;
  const h = handle as Partial<Record<'readStart' | 'readStop', unknown>>;
  return typeof h.readStart === 'function' && typeof h.readStop === 'function' ? (handle as StreamHandle) : undefined;
}

/**
 * Stops reading `socket` now; the function returned starts it again. Undefined when the socket
 * cannot be stopped this way (no stream handle, or Node is not reading it).
 */
export function stopReading(socket: Socket): (() => void) | undefined {
  const handle = streamHandle(socket);
  if (handle?.reading !== true || handle.readStop() !== 0) return undefined;
  // Node stops the handle itself when a paused stream's buffer is full, clearing `reading`; it
  // then restarts it when the buffer drains.
  return () => { if (!socket.destroyed && handle.reading === true) handle.readStart(); };
}

export class ReadHold {
  /** Times reading was stopped, over the connection's life (tests count them). */
  holds = 0;
  private held = false;
  private nextMs = FIRST_HOLD_MS;
  private readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Null for a socket that cannot be held (no stream handle, as a test's stand-in socket). */
  static of(socket: Socket): ReadHold | null {
    return streamHandle(socket) === undefined ? null : new ReadHold(socket);
  }

  /** A new head: its pauses start short again. */
  reset(): void {
    this.nextMs = FIRST_HOLD_MS;
  }

  /** Stops reading for a while, unless already stopped. */
  hold(): void {
    if (this.held || this.socket.destroyed) return;
    const resume = stopReading(this.socket);
    if (resume === undefined) return;
    this.held = true;
    this.holds++;
    // Unref'd: a held dripping client must not keep a closing process alive.
    setTimeout(() => { this.held = false; resume(); }, this.nextMs).unref();
    this.nextMs = Math.min(MAX_HOLD_MS, 2 * this.nextMs);
  }
}
