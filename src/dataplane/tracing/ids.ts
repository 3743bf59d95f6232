// Random trace and span ids, cut from a pool of random bytes filled 4 KiB at a time, so a request
// pays a slice and a hex conversion rather than a call into the system's random source.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;

export class RandomIds {
  private readonly pool = Buffer.alloc(POOL_BYTES);
  private used = POOL_BYTES;

  /** 32 hex digits, never all zero. */
  traceId(): string {
    return this.next(16);
  }

  /** 16 hex digits, never all zero. */
  spanId(): string {
    return this.next(8);
  }

  private next(bytes: number): string {
    for (;;) {
      if (this.used + bytes > POOL_BYTES) {
        randomFillSync(this.pool);
        this.used = 0;
      }
      const start = this.used;
      this.used += bytes;
      // All zero is invalid in W3C trace context (a chance of 2^-64 or less): draw again.
      if (!isZero(this.pool, start, this.used)) return this.pool.toString('hex', start, this.used);
    }
  }
}

function isZero(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i] !== 0) return false;
  return true;
}
