import { describe, expect, it } from '@jest/globals';
import { Batcher, type BatcherDeps } from './batcher.ts';

/** A batcher over numbers whose timers and sends the test runs by hand. */
function harness(settings = { maxQueueSize: 6, maxBatchSize: 3, scheduleDelayMs: 5000 }) {
  const timers: { ms: number; run: () => void; cancelled: boolean }[] = [];
  const sends: { batch: readonly number[]; settle: (ok: boolean) => void }[] = [];
  const counts = { exported: 0, queueFull: 0, exportFailed: 0, errors: 0 };
  const deps: BatcherDeps<number> = {
    send: (batch) => new Promise<void>((resolve, reject) => {
      sends.push({ batch, settle: (ok) => { if (ok) resolve(); else reject(new Error('collector down')); } });
    }),
    schedule: (ms, run) => {
      const timer = { ms, run, cancelled: false };
      timers.push(timer);
      return () => { timer.cancelled = true; };
    },
    onExported: (n) => { counts.exported += n; },
    onDropped: (n, reason) => { if (reason === 'queue_full') counts.queueFull += n; else counts.exportFailed += n; },
    onError: () => { counts.errors++; },
  };
  const live = () => timers.filter((t) => !t.cancelled);
  const fire = () => {
    const timer = live()[0];
    if (timer === undefined) throw new Error('no timer');
    timer.cancelled = true;
    timer.run();
  };
  return { batcher: new Batcher(settings, deps), sends, counts, live, fire };
}

/** Lets the promise callbacks of a settled send run. */
const settled = () => new Promise<void>((resolve) => { setImmediate(resolve); });

describe('Batcher', () => {
  it('sends a full batch at once, without waiting for the delay', () => {
    const h = harness();
    h.batcher.add(1);
    h.batcher.add(2);
    expect(h.sends).toHaveLength(0);
    h.batcher.add(3);
    expect(h.sends.map((s) => s.batch)).toEqual([[1, 2, 3]]);
  });

  it('sends a partial batch when the delay after its first item has passed, with one timer for it', () => {
    const h = harness();
    h.batcher.add(1);
    h.batcher.add(2);
    expect(h.live()).toHaveLength(1);
    expect(h.live()[0]?.ms).toBe(5000);
    h.fire();
    expect(h.sends.map((s) => s.batch)).toEqual([[1, 2]]);
  });

  it('drops and counts items past the queue size, and never waits for the collector', async () => {
    const h = harness();
    for (let i = 1; i <= 3; i++) h.batcher.add(i);
    // The first batch is out; its send hangs. Six more fill the queue, the seventh is dropped.
    const accepted = [4, 5, 6, 7, 8, 9, 10].map((i) => h.batcher.add(i));
    expect(accepted).toEqual([true, true, true, true, true, true, false]);
    expect(h.counts.queueFull).toBe(1);
    expect(h.batcher.queued).toBe(6);
    expect(h.sends).toHaveLength(1);
    h.sends[0]?.settle(true);
    await settled();
    // One export at a time: the next full batch leaves only after the first was answered.
    expect(h.sends.map((s) => s.batch)).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(h.counts.exported).toBe(3);
  });

  it('counts a failed export\'s spans as dropped and goes on with the next batch', async () => {
    const h = harness();
    for (let i = 1; i <= 6; i++) h.batcher.add(i);
    h.sends[0]?.settle(false);
    await settled();
    expect(h.counts).toEqual({ exported: 0, queueFull: 0, exportFailed: 3, errors: 1 });
    h.sends[1]?.settle(true);
    await settled();
    expect(h.counts.exported).toBe(3);
  });

  it('waits for the timer again when what is left after an export is not a full batch', async () => {
    const h = harness();
    for (let i = 1; i <= 3; i++) h.batcher.add(i);
    h.batcher.add(4);
    h.sends[0]?.settle(true);
    await settled();
    expect(h.sends).toHaveLength(1);
    expect(h.live()).toHaveLength(1);
    h.fire();
    expect(h.sends[1]?.batch).toEqual([4]);
  });

  it('flush exports everything queued, in batches, and leaves no timer', async () => {
    const h = harness({ maxQueueSize: 10, maxBatchSize: 3, scheduleDelayMs: 5000 });
    for (let i = 1; i <= 5; i++) h.batcher.add(i);
    const flushed = h.batcher.flush();
    let done = false;
    void flushed.then(() => { done = true; });
    h.sends[0]?.settle(true);
    await settled();
    expect(h.sends[1]?.batch).toEqual([4, 5]);
    expect(done).toBe(false);
    h.sends[1]?.settle(true);
    await flushed;
    expect(h.counts.exported).toBe(5);
    expect(h.live()).toHaveLength(0);
  });

  it('discard empties the queue without exporting, so a flush under way ends with the batch in flight', async () => {
    const h = harness({ maxQueueSize: 10, maxBatchSize: 3, scheduleDelayMs: 5000 });
    for (let i = 1; i <= 7; i++) h.batcher.add(i);
    const flushed = h.batcher.flush();
    expect(h.batcher.discard()).toBe(4);
    h.sends[0]?.settle(false);
    await flushed;
    expect(h.sends).toHaveLength(1);
    expect(h.counts).toEqual({ exported: 0, queueFull: 0, exportFailed: 3, errors: 1 });
    expect(h.live()).toHaveLength(0);
  });
});
