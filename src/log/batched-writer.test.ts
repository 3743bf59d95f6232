import { describe, expect, it } from '@jest/globals';
import { createBatchedWriter, type BatchOut } from './batched-writer.ts';

/** A scheduler the test fires by hand, in place of the 25 ms timer. */
function manualScheduler(): { schedule: (flush: () => void) => void; fire: () => void; pending: () => number } {
  const queue: (() => void)[] = [];
  return { schedule: (flush) => { queue.push(flush); }, fire: () => { queue.splice(0).forEach((f) => { f(); }); }, pending: () => queue.length };
}

/**
 * The chunks written, decoded at the time of writing, and the Buffers themselves. Each write
 * completes at once unless `hold` is set, when completions wait for `complete()`.
 */
function sink(hold = false): { out: BatchOut; buffers: Buffer[]; texts: string[]; complete: () => void } {
  const buffers: Buffer[] = [];
  const texts: string[] = [];
  const pending: (() => void)[] = [];
  return {
    out: (c, written) => {
      buffers.push(c);
      texts.push(c.toString('utf8'));
      if (hold) pending.push(written);
      else written();
    },
    buffers, texts, complete: () => { pending.splice(0).forEach((w) => { w(); }); },
  };
}

describe('createBatchedWriter', () => {
  it('writes the lines gathered until the scheduled flush as one chunk, in order, scheduling once', () => {
    const s = sink();
    const clock = manualScheduler();
    const w = createBatchedWriter(s.out, 64 * 1024, clock.schedule);
    w.write('a\n');
    w.write('b\n');
    expect(s.texts).toEqual([]);
    expect(clock.pending()).toBe(1);
    clock.fire();
    expect(s.texts).toEqual(['a\nb\n']);
    w.write('c\n');
    expect(clock.pending()).toBe(1);
    clock.fire();
    expect(s.texts).toEqual(['a\nb\n', 'c\n']);
  });

  it('flushes before a line that would not fit, and on demand; a chunk never exceeds the size', () => {
    const s = sink();
    const w = createBatchedWriter(s.out, 4, manualScheduler().schedule);
    w.write('12');
    w.write('345');
    expect(s.texts).toEqual(['12']);
    w.write('6');
    w.write('7');
    expect(s.texts).toEqual(['12', '3456']);
    w.flush();
    expect(s.texts).toEqual(['12', '3456', '7']);
  });

  it('keeps multi-byte characters whole, and writes a line longer than the batch on its own', () => {
    const s = sink();
    const w = createBatchedWriter(s.out, 8, manualScheduler().schedule);
    w.write('é€'); // 5 bytes in UTF-8
    w.write('ü'); // 2 bytes: fits in the 3 left
    w.write('0123456789'); // longer than a batch
    w.write('z');
    w.flush();
    expect(s.texts).toEqual(['é€ü', '0123456789', 'z']);
  });

  it('reuses a batch buffer only after its write completed', () => {
    const held = sink(true);
    const clock = manualScheduler();
    const w = createBatchedWriter(held.out, 64, clock.schedule);
    for (const line of ['a\n', 'b\n', 'c\n']) {
      w.write(line);
      clock.fire();
    }
    // All three writes are still in flight: three buffers, none overwritten.
    expect(new Set(held.buffers.map((b) => b.buffer)).size).toBe(3);
    expect(held.buffers.map((b) => b.toString())).toEqual(['a\n', 'b\n', 'c\n']);
    held.complete();
    for (const line of ['d\n', 'e\n', 'f\n', 'g\n']) {
      w.write(line);
      clock.fire();
      held.complete();
    }
    // Completed writes hand their buffers back: no new buffer after the first three (and the
    // one being filled).
    expect(new Set(held.buffers.map((b) => b.buffer)).size).toBeLessThanOrEqual(4);
    expect(held.texts).toEqual(['a\n', 'b\n', 'c\n', 'd\n', 'e\n', 'f\n', 'g\n']);
  });

  it('flushes by the default timer without a scheduler', async () => {
    const written = await new Promise<Buffer>((resolve) => {
      createBatchedWriter((chunk) => { resolve(chunk); }).write('late\n');
    });
    expect(written.toString()).toBe('late\n');
  });
});
