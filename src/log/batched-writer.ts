// Collects log lines and writes them in batches: at most every 25 ms, or as soon as the next line
// would not fit in the 64 KiB batch. The access log adds a line per request; a write per line, or
// even per event-loop turn, put a synchronous stdout write (and Writable bookkeeping) on every
// few requests and cost a quarter of the proxy's throughput in the benchmark. Lines are encoded
// into the batch's buffer as they come: a batch kept as one long string (`batch += line`) cost
// ~2.5 µs a line when V8 flattened it for the write, more than the request's routing and logging
// together, and most of that was the kernel faulting in fresh pages for each 64 KiB flattening.
// For the same reason batch buffers are recycled once written, never allocated per batch. A line
// is at most 25 ms late; what is buffered at exit is written then.
export interface BatchedWriter {
  readonly write: (line: string) => void;
  readonly flush: () => void;
}

/** Runs `flush` later, once; the default waits 25 ms without keeping the process alive. */
export type FlushScheduler = (flush: () => void) => void;

const after25ms: FlushScheduler = (flush) => { setTimeout(flush, 25).unref(); };

/**
 * Writes a batch and calls `written` once its buffer may be reused (a pipe write may finish
 * after `out` returns), as `stream.write(chunk, written)` does.
 */
export type BatchOut = (chunk: Buffer, written: () => void) => void;

/** Batches to this process's stdout (the access log's destination). */
export const toStdout: BatchOut = (chunk, written) => { process.stdout.write(chunk, written); };

/** A single line longer than `maxBytes` is written on its own. */
export function createBatchedWriter(out: BatchOut, maxBytes = 64 * 1024, schedule: FlushScheduler = after25ms): BatchedWriter {
  const spare: Buffer[] = [];
  let batch: Buffer = Buffer.allocUnsafeSlow(maxBytes);
  let used = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (used === 0) return;
    const full = batch;
    const chunk = full.subarray(0, used);
    batch = spare.pop() ?? Buffer.allocUnsafeSlow(maxBytes);
    used = 0;
    out(chunk, () => { spare.push(full); });
  };
  process.once('exit', flush);
  /** A UTF-8 character is at most 3 bytes per UTF-16 unit: most lines need no exact count. */
  const fits = (line: string): boolean => line.length * 3 <= maxBytes - used || Buffer.byteLength(line) <= maxBytes - used;
  return {
    write: (line) => {
      if (!fits(line)) {
        flush();
        if (!fits(line)) {
          out(Buffer.from(line), () => undefined);
          return;
        }
      }
      used += batch.write(line, used, 'utf8');
      if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}
