import { describe, expect, it } from '@jest/globals';
import type { CountItem } from './count-sync.ts';
import { createSharedCounts, type CountBackend, type ReplicaCount } from './shared-counts.ts';

const item = (delta: number, window = 5): CountItem => ({ counter: 'c', windowSeconds: 10, window, delta });

describe('createSharedCounts', () => {
  it('without a backend, sums the processes of this replica and says once that counting is per replica', async () => {
    const notes: [boolean, string][] = [];
    const sync = createSharedCounts({ withoutBackend: 'no --etcd-endpoints', now: () => 55_000, onShared: (s, r) => { notes.push([s, r]); } });
    expect(await sync([item(2)])).toEqual([2]);
    expect(await sync([item(3), item(0, 4)])).toEqual([5, 0]);
    expect(notes).toEqual([[false, 'no --etcd-endpoints']]);
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
    expect(await sync([item(2)])).toEqual([102]);
    fail = true;
    expect(await sync([item(1)])).toEqual([3]);
    fail = false;
    expect(await sync([item(0)])).toEqual([103]);
    expect(seen.map((s) => s.map((c) => [c.mine, c.changed]))).toEqual([[[2, true]], [[3, true]], [[3, false]]]);
    expect(notes).toEqual([true, false, true]);
    expect(failures).toEqual([false, true, false]);
  });

  it('runs exchanges one at a time, in order', async () => {
    const order: number[] = [];
    const backend: CountBackend = {
      totals: async (counts) => {
        await new Promise((resolve) => setImmediate(resolve));
        order.push(counts[0]?.mine ?? -1);
        return counts.map((c) => c.mine);
      },
    };
    const sync = createSharedCounts({ backend, now: () => 55_000 });
    const answers = await Promise.all([sync([item(1)]), sync([item(1)]), sync([item(1)])]);
    expect(order).toEqual([1, 2, 3]);
    expect(answers).toEqual([[1], [2], [3]]);
  });

  it('forgets windows two windows old', async () => {
    let at = 55_000;
    const sync = createSharedCounts({ now: () => at });
    await sync([item(4)]);
    at = 70_000;
    expect(await sync([item(1)])).toEqual([1]);
  });
});
