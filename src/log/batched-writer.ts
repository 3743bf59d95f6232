// Collects log lines and writes them once per event-loop turn (or when 64 KiB have built up):
// one write per batch instead of a synchronous pipe write per request, for the access log.
export interface BatchedWriter {
  readonly write: (line: string) => void;
  readonly flush: () => void;
}

export function createBatchedWriter(out: (chunk: string) => void, maxBytes = 64 * 1024): BatchedWriter {
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
        setImmediate(flush);
      }
    },
    flush,
  };
}
