// A request body as a Readable, fed by the connection's body decoder. Back-pressure reaches the
// client: when the consumer (the upstream request) stops reading, the socket is paused.
import { Readable } from 'node:stream';

export class RequestBody extends Readable {
  private readonly pauseSource: () => void;
  private readonly resumeSource: () => void;

  constructor(pauseSource: () => void, resumeSource: () => void) {
    super({ highWaterMark: 64 * 1024 });
    this.pauseSource = pauseSource;
    this.resumeSource = resumeSource;
  }

  override _read(): void {
    this.resumeSource();
  }

  /** Body bytes from the decoder; pauses the client when the consumer is behind. */
  feed(chunk: Buffer): void {
    if (!this.push(chunk)) this.pauseSource();
  }

  finish(): void {
    this.push(null);
  }
}
