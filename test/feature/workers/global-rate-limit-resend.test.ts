// A worker whose exchange the primary does not answer in time (--worker-ipc-timeout-ms) sends its
// counts again; over the real IPC channel, with the primary's real holder of shared counts in
// front of a backend (standing for etcd) that stalls its first exchange, the requests are still
// published once: the replica's count in the backend never exceeds what the worker admitted.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createSharedCounts, type CountBackend, type ReplicaCount } from '../../../src/dataplane/global-rate/shared-counts.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startRateLimitedWorker, type RateLimitedWorker } from './rate-limited-worker.ts';

let worker: RateLimitedWorker;
const published: ReplicaCount[][] = [];
const { promise: gate, resolve: openGate } = Promise.withResolvers<undefined>();
let syncs = 0;

const backend: CountBackend = {
  totals: async (counts) => {
    published.push([...counts]);
    // The first exchange waits (a slow etcd) until the worker has timed out and sent its counts again.
    if (published.length === 1) await gate;
    return counts.map((c) => c.mine);
  },
};

beforeAll(async () => {
  const shared = createSharedCounts({ backend });
  worker = await startRateLimitedWorker({ requests: 100, window: '1h' }, {
    primaryTimeoutMs: 50,
    globalRateSync: (source, items) => {
      syncs += 1;
      return shared(source, items);
    },
  });
}, 30_000);

afterAll(async () => {
  await worker.close();
});

const statusFor = (): Promise<number> => worker.status();

it('publishes a worker\'s counts once although it sent them again after an IPC timeout', async () => {
  expect([await statusFor(), await statusFor(), await statusFor()]).toEqual([200, 200, 200]);
  await waitFor(() => Promise.resolve(syncs >= 2 ? true : undefined), { what: 'the worker sending its counts again', timeoutMs: 10_000, intervalMs: 20 });
  openGate(undefined);
  expect(await statusFor()).toBe(200);
  // Per window, the highest count published; the four requests may straddle an hour's boundary.
  const publishedCount = (): number => {
    const highest = new Map<string, number>();
    for (const c of published.flat()) highest.set(`${c.counter}/${c.window}`, Math.max(highest.get(`${c.counter}/${c.window}`) ?? 0, c.mine));
    return [...highest.values()].reduce((a, b) => a + b, 0);
  };
  await waitFor(() => Promise.resolve(publishedCount() >= 4 ? true : undefined), { what: 'the fourth request published', timeoutMs: 10_000, intervalMs: 20 });
  expect(publishedCount()).toBe(4);
}, 30_000);
