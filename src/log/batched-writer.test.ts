import { describe, expect, it } from '@jest/globals';
import { createBatchedWriter } from './batched-writer.ts';

/** A scheduler the test fires by hand, in place of the 25 ms timer. */
function manualScheduler(): { schedule: (flush: () => void) => void; fire: () => void; pending: () => number } {
  const queue: (() => void)[] = [];
  return { schedule: (flush) => { queue.push(flush); }, fire: () => { queue.splice(0).forEach((f) => { f(); }); }, pending: () => queue.length };
}

describe('createBatchedWriter', () => {
  it('writes the lines gathered until the scheduled flush as one chunk, in order, scheduling once', () => {
    const chunks: string[] = [];
    const clock = manualScheduler();
    const w = createBatchedWriter((c) => chunks.push(c), 64 * 1024, clock.schedule);
    w.write('a\n');
    w.write('b\n');
    expect(chunks).toEqual([]);
    expect(clock.pending()).toBe(1);
    clock.fire();
    expect(chunks).toEqual(['a\nb\n']);
    w.write('c\n');
    expect(clock.pending()).toBe(1);
  });

  it('flushes early once the buffer is full, and on demand', () => {
    const chunks: string[] = [];
    const w = createBatchedWriter((c) => chunks.push(c), 4, manualScheduler().schedule);
    w.write('12');
    w.write('345');
    expect(chunks).toEqual(['12345']);
    w.write('6');
    w.flush();
    expect(chunks).toEqual(['12345', '6']);
  });

  it('flushes by the default timer without a scheduler', async () => {
    const written = await new Promise<string>((resolve) => {
      createBatchedWriter(resolve).write('late\n');
    });
    expect(written).toBe('late\n');
  });
});
