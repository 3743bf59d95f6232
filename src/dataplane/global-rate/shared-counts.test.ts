import { describe, expect, it } from '@jest/globals';
import type { CountItem } from './count-sync.ts';
import { createSharedCounts, type CountBackend, type ReplicaCount } from './shared-counts.ts';

const item = (count: number, window = 5, counter = 'c'): CountItem => ({ counter, windowSeconds: 10, window, count });

/** A backend that holds its answers until released (an etcd slow to answer), then answers at once. */
function stalledBackend(): { backend: CountBackend; seen: ReplicaCount[][]; inFlight: () => number; maxInFlight: () => number; release: () => void; answered: (n: number) => Promise<void> } {
  const seen: ReplicaCount[][] = [];
  const { promise: released, resolve: release } = Promise.withResolvers<undefined>();
  let stalled = true;
  let inFlight = 0;
  let maxInFlight = 0;
  let done = 0;
  const watchers: { n: number; resolve: () => void }[] = [];
  const backend: CountBackend = {
    totals: async (counts) => {
      seen.push([...counts]);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (stalled) await released;
      inFlight -= 1;
      done += 1;
      for (const w of watchers) if (done >= w.n) w.resolve();
      return counts.map((c) => c.mine + 100);
    },
  };
  return {
    backend, seen, inFlight: () => inFlight, maxInFlight: () => maxInFlight,
    release: () => { stalled = false; release(undefined); },
    // Resolves once n exchanges have been answered.
    answered: (n) => new Promise<void>((resolve) => { if (done >= n) resolve(); else watchers.push({ n, resolve }); }),
  };
}

describe('createSharedCounts', () => {
  it('without a backend, sums the processes of this replica and says once that counting is per replica', async () => {
    const notes: [boolean, string][] = [];
    const sync = createSharedCounts({ withoutBackend: 'no --etcd-endpoints', now: () => 55_000, onShared: (s, r) => { notes.push([s, r]); } });
    expect(await sync('a', [item(2)])).toEqual([2]);
    expect(await sync('b', [item(3), item(0, 4)])).toEqual([5, 0]);
    expect(await sync('a', [item(4)])).toEqual([7]);
    expect(notes).toEqual([[false, 'no --etcd-endpoints']]);
  });

  it('counts a message sent again once: a process\'s cumulative count is kept, not added', async () => {
    const sync = createSharedCounts({ now: () => 55_000 });
    expect(await sync('a', [item(2)])).toEqual([2]);
    expect(await sync('a', [item(2)])).toEqual([2]);
    // An older message arriving late does not take the count back either.
    expect(await sync('a', [item(1)])).toEqual([2]);
  });

  it('publishes cumulative counts to the backend and answers its totals; on failure, its own counts', async () => {
    const seen: ReplicaCount[][] = [];
    let fail = false;
    const backend: CountBackend = {
      totals: (counts) => {
        seen.push([...counts]);
        return fail ? Promise.reject(new Error('etcd down')) : Promise.resolve(counts.map((c) => c.mine + 100));
      },
    };
    const notes: boolean[] = [];
    const failures: boolean[] = [];
    const sync = createSharedCounts({ backend, now: () => 55_000, onShared: (s) => { notes.push(s); }, onExchange: (_s, failed) => { failures.push(failed); } });
    expect(await sync('a', [item(2)])).toEqual([102]);
    fail = true;
    expect(await sync('a', [item(3)])).toEqual([3]);
    fail = false;
    expect(await sync('a', [item(3)])).toEqual([103]);
    expect(await sync('a', [item(3)])).toEqual([103]);
    expect(seen.map((s) => s.map((c) => [c.mine, c.changed]))).toEqual([[[2, true]], [[3, true]], [[3, true]], [[3, false]]]);
    expect(notes).toEqual([true, false, true]);
    expect(failures).toEqual([false, true, false, false]);
  });

  it('does not count a resend twice while the first exchange still waits on a slow backend', async () => {
    const slow = stalledBackend();
    const sync = createSharedCounts({ backend: slow.backend, now: () => 55_000 });
    const first = sync('a', [item(2)]);
    // The worker gave up waiting (IPC timeout) and sends the same counts again: answered at once.
    expect(await sync('a', [item(2)])).toEqual([2]);
    slow.release();
    expect(await first).toEqual([102]);
    // The resend's window is read once more (asked for meanwhile), not written again.
    await slow.answered(2);
    expect(await sync('a', [item(3)])).toEqual([103]);
    expect(slow.seen.map((s) => s.map((c) => [c.mine, c.changed]))).toEqual([[[2, true]], [[2, false]], [[3, true]]]);
  });

  it('keeps one exchange in flight: processes asking meanwhile are answered at once, their counts go with the next', async () => {
    const slow = stalledBackend();
    const sync = createSharedCounts({ backend: slow.backend, now: () => 55_000 });
    const first = sync('a', [item(1, 5, 'x')]);
    // Three workers, each sending its cumulative count again and again (50 messages).
    const meanwhile = await Promise.all(Array.from({ length: 50 }, (_, i) => sync(`w${i % 3}`, [item(i + 1, 5, 'y')])));
    expect(meanwhile.at(-1)).toEqual([48 + 49 + 50]);
    expect(slow.seen).toHaveLength(1);
    slow.release();
    expect(await first).toEqual([101]);
    // At once after it, one exchange publishes what came meanwhile: the workers' latest counts, summed.
    await slow.answered(2);
    expect(slow.seen.map((s) => s.map((c) => [c.counter, c.mine]))).toEqual([[['x', 1]], [['y', 147]]]);
    expect(slow.maxInFlight()).toBe(1);
    expect(await sync('w0', [item(0, 5, 'y')])).toEqual([247]);
  });

  it('does not start another exchange after a failed one (the next sync retries)', async () => {
    const seen: number[] = [];
    const backend: CountBackend = { totals: (counts) => { seen.push(counts.length); return Promise.reject(new Error('etcd down')); } };
    const sync = createSharedCounts({ backend, now: () => 55_000 });
    expect(await sync('a', [item(2)])).toEqual([2]);
    expect(await sync('a', [item(2)])).toEqual([2]);
    expect(seen).toEqual([1, 1]);
  });

  it('forgets windows two windows old', async () => {
    let at = 55_000;
    const sync = createSharedCounts({ now: () => at });
    await sync('a', [item(4)]);
    at = 70_000;
    expect(await sync('a', [item(1)])).toEqual([1]);
  });
});
