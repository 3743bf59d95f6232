// A forked worker exchanges its global rate limit counts with the primary over IPC: the primary's
// holder of shared counts (here a scripted one standing for etcd's totals) gets the worker's
// admitted requests, and the totals it answers make the worker refuse with 429.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { CountItem } from '../../../src/dataplane/global-rate/count-sync.ts';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startRateLimitedWorker, type RateLimitedWorker } from './rate-limited-worker.ts';

let worker: RateLimitedWorker;
const received: CountItem[][] = [];

beforeAll(async () => {
  worker = await startRateLimitedWorker({ requests: 5, window: '1m' }, {
    // The other replicas have admitted 100 in every window asked for.
    globalRateSync: (_source, items) => {
      received.push([...items]);
      return Promise.resolve(items.map((i) => i.count + 100));
    },
  });
}, 30_000);

afterAll(async () => {
  await worker.close();
});

const statusFor = (): Promise<number> => worker.status();

it('sends its counts to the primary and refuses once the primary\'s totals pass the limit', async () => {
  expect(defaultDataPlaneOptions.globalRateLimitSyncMs).toBe(200);
  expect(await statusFor()).toBe(200);
  const first = await waitFor(() => Promise.resolve(received.flat().find((i) => i.count > 0)), { what: 'the worker\'s counts at the primary', timeoutMs: 10_000, intervalMs: 20 });
  expect(first).toMatchObject({ windowSeconds: 60, count: 1 });
  await waitFor(async () => ((await statusFor()) === 429 ? true : undefined), { what: 'a 429 once the totals came back', timeoutMs: 10_000, intervalMs: 20 });
});
