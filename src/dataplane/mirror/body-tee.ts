// A request body read once, for the upstream and for each mirror. The upstream's copy sets the pace
// (backpressure reaches the client as before); a mirror's copy never pushes back: the bytes it has
// not sent yet are held up to a bound, and a mirror that falls further behind loses its copy (its
// request fails, the upstream's goes on). So the whole body is never buffered, and a slow mirror
// costs at most `boundBytes` of memory and never slows the client's exchange.
import { Readable, Transform } from 'node:stream';

export class MirrorBodyDroppedError extends Error {
  readonly code = 'ERR_BOLLARD_MIRROR_BODY_DROPPED';
}

/** A mirror's copy of the body: fed chunk by chunk, read by the mirror's upstream request. */
export class MirrorBody extends Readable {
  private readonly boundBytes: number;
  /** The copy was given up (the mirror fell behind, or the body ended early). */
  dropped = false;

  constructor(boundBytes: number) {
    super({ read: () => undefined });
    this.boundBytes = boundBytes;
    // Dropped after its request already failed, nobody would listen: the error is known, not thrown.
    this.on('error', () => undefined);
  }

  offer(chunk: Buffer): void {
    if (this.destroyed) return;
    if (this.readableLength + chunk.length > this.boundBytes) this.giveUp(`the mirror fell more than ${this.boundBytes} bytes behind`);
    else this.push(chunk);
  }

  giveUp(reason: string): void {
    if (this.destroyed || this.readableEnded) return;
    this.dropped = true;
    this.destroy(new MirrorBodyDroppedError(reason));
  }
}

export interface TeedBody {
  /** What the upstream reads. */
  readonly primary: Readable;
  readonly copies: readonly MirrorBody[];
  /** The upstream's exchange is over: copies of a body that did not reach its end are dropped. */
  readonly stop: () => void;
}

export function teeBody(source: Readable, count: number, boundBytes: number): TeedBody {
  const copies = Array.from({ length: count }, () => new MirrorBody(boundBytes));
  let ended = false;
  const primary = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      for (const copy of copies) copy.offer(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      ended = true;
      for (const copy of copies) if (!copy.destroyed) copy.push(null);
      callback();
    },
  });
  const stop = (): void => {
    if (!ended) for (const copy of copies) copy.giveUp('the request body did not reach its end');
  };
  source.on('error', (err) => primary.destroy(err));
  primary.on('close', stop);
  return { primary: source.pipe(primary), copies, stop };
}
