import { describe, expect, it } from '@jest/globals';
import { createBatchedWriter } from './batched-writer.ts';

const turn = (): Promise<void> => new Promise((r) => { setImmediate(r); });

describe('createBatchedWriter', () => {
  it('writes the lines of one event-loop turn as one chunk, in order', async () => {
    const chunks: string[] = [];
    const w = createBatchedWriter((c) => chunks.push(c));
    w.write('a\n');
    w.write('b\n');
    expect(chunks).toEqual([]);
    await turn();
    expect(chunks).toEqual(['a\nb\n']);
  });

  it('flushes early once the buffer is full, and on demand', () => {
    const chunks: string[] = [];
    const w = createBatchedWriter((c) => chunks.push(c), 4);
    w.write('12');
    w.write('345');
    expect(chunks).toEqual(['12345']);
    w.write('6');
    w.flush();
    expect(chunks).toEqual(['12345', '6']);
  });
});
