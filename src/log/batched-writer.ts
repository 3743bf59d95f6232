// Collects log lines and writes them in batches: at most every 25 ms, or at once when 64 KiB
// have built up. The access log adds a line per request; a write per line, or even per event-loop
// turn, put a synchronous stdout write (and Writable bookkeeping) on every few requests and cost
// a quarter of the proxy's throughput in the benchmark. A line is at most 25 ms late; what is
// buffered at exit is written then.
export interface BatchedWriter {
  readonly write: (line: string) => void;
  readonly flush: () => void;
}

/** Runs `flush` later, once; the default waits 25 ms without keeping the process alive. */
export type FlushScheduler = (flush: () => void) => void;

const after25ms: FlushScheduler = (flush) => { setTimeout(flush, 25).unref(); };

export function createBatchedWriter(out: (chunk: string) => void, maxBytes = 64 * 1024, schedule: FlushScheduler = after25ms): BatchedWriter {
  let buffer = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    out(chunk);
  };
  process.once('exit', flush);
  return {
    write: (line) => {
      buffer += line;
      if (buffer.length >= maxBytes) flush();
      else if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}
