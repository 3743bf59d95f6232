// Read coalescing for a client that drips its request head. Each read of a socket costs Node a
// wake-up, a syscall and a Buffer, whatever it returns, so a head sent one byte per segment costs
// tens of times the same head in one segment however cheap the parser is. Past a budget of reads
// for one head, reading stops for a few milliseconds after each read: the kernel keeps the bytes
// that arrive meanwhile, and the next read returns them together. A head that arrives in one read,
// or a few, never waits; a dripping one is answered at most HOLD_MS after its last byte, and its
// head deadline (slowloris) runs as before.
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
/** How long reading stops after each read past the budget. */
export const HOLD_MS = 5;

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

export class ReadHold {
  /** Times reading was stopped, over the connection's life (tests count them). */
  holds = 0;
  private held = false;
  private readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** Stops reading for HOLD_MS, unless already stopped or the socket cannot be held. */
  hold(): void {
    if (this.held || this.socket.destroyed) return;
    const handle = streamHandle(this.socket);
    if (handle?.reading !== true || handle.readStop() !== 0) return;
    this.held = true;
    this.holds++;
    setTimeout(() => { this.release(handle); }, HOLD_MS);
  }

  private release(handle: StreamHandle): void {
    this.held = false;
    // Node stops the handle itself when a paused stream's buffer is full, clearing `reading`; it
    // then restarts it when the buffer drains.
    if (!this.socket.destroyed && handle.reading === true) handle.readStart();
  }
}
