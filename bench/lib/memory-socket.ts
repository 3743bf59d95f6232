// A stand-in for a client socket, enough for Http1Connection: bytes are handed in with data(),
// written bytes are counted and dropped. It lets the parser benchmark measure the HTTP/1 front
// end's own CPU (buffering, head search, parsing, body framing) without the kernel in the way.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export class MemorySocket extends EventEmitter {
  writable = true;
  destroyed = false;
  writableLength = 0;
  remoteAddress = '127.0.0.1';
  localPort = 80;
  written = 0;
  ended = false;
  private paused = false;

  /** As a net.Socket, for the connection's constructor. */
  get asSocket(): Socket {
    return this as unknown as Socket;
  }

  data(chunk: Buffer): void {
    this.emit('data', chunk);
  }

  setNoDelay(): this { return this; }
  pause(): this { this.paused = true; return this; }
  resume(): this { this.paused = false; return this; }
  isPaused(): boolean { return this.paused; }
  cork(): void { /* nothing buffered */ }
  uncork(): void { /* nothing buffered */ }
  unshift(): void { /* h2c is not benchmarked */ }

  write(data: Buffer | string): boolean {
    this.written += data.length;
    return true;
  }

  end(data?: Buffer | string): this {
    if (data !== undefined) this.written += data.length;
    this.ended = true;
    this.writable = false;
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    this.writable = false;
    return this;
  }
}
