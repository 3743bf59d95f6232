// Global rate limit counts in etcd. Each replica writes its own cumulative count of a window under
// <prefix><counter digest>/<window>/<replica> — a plain put, so replicas never contend and a write
// repeated after a failure counts nothing twice — and reads every replica's key of the window with
// one range read; the total is their sum. Puts and reads of up to 64 windows go in one transaction
// (etcd's default --max-txn-ops is 128). Keys carry a lease per window size and window that lives
// two windows (the previous window still weighs in the sliding estimate), never renewed: old
// windows vanish by themselves. Counters are digests (SHA-256), so no client address or header
// value is stored in etcd.
import { createHash } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import type { CountBackend, ReplicaCount } from '../dataplane/global-rate/shared-counts.ts';

const BATCH = 64;
/** Seconds a lease outlives its second window: slack for clocks and the sync round. */
const LEASE_SLACK_SECONDS = 10;

export interface EtcdCountsOptions {
  readonly client: Etcd3;
  /** Ends with "/". */
  readonly prefix: string;
  /** This replica's name in the keys: unique among running replicas, no "/". */
  readonly replica: string;
  readonly now?: () => number;
}

type RequestOp = Parameters<Etcd3['kv']['txn']>[0]['success'] extends (infer O)[] | undefined ? O : never;

const digest = (counter: string): string => createHash('sha256').update(counter).digest('base64url');

/** The end of the range of keys starting with `dir` (which ends with "/": the next byte is "0"). */
const rangeEnd = (dir: string): Buffer => Buffer.from(`${dir.slice(0, -1)}0`);

export function createEtcdCounts(opts: EtcdCountsOptions): CountBackend {
  const leases = new Map<string, { readonly windowEndMs: number; readonly id: Promise<string> }>();
  const now = opts.now ?? Date.now;
  const leaseFor = (c: ReplicaCount): Promise<string> => {
    const key = `${c.windowSeconds}/${c.window}`;
    let lease = leases.get(key);
    if (lease === undefined) {
      const id = opts.client.leaseClient.leaseGrant({ TTL: 2 * c.windowSeconds + LEASE_SLACK_SECONDS }).then((r) => r.ID);
      lease = { windowEndMs: (c.window + 1) * c.windowSeconds * 1000, id };
      leases.set(key, lease);
      id.catch(() => { leases.delete(key); });
    }
    return lease.id;
  };
  const forgetOldLeases = (): void => {
    const at = now();
    for (const [key, lease] of leases) if (lease.windowEndMs <= at - 1000 * LEASE_SLACK_SECONDS) leases.delete(key);
  };
  const exchange = async (counts: readonly ReplicaCount[]): Promise<number[]> => {
    const ops: RequestOp[] = [];
    const own: Buffer[] = [];
    for (const c of counts) {
      const dir = `${opts.prefix}${digest(c.counter)}/${c.window}/`;
      own.push(Buffer.from(dir + opts.replica));
      if (c.changed) ops.push({ request_put: { key: Buffer.from(dir + opts.replica), value: Buffer.from(String(c.mine)), lease: await leaseFor(c) } });
      ops.push({ request_range: { key: Buffer.from(dir), range_end: rangeEnd(dir) } });
    }
    // The raw transaction: puts and range reads in one round trip, which etcd3's builders do not offer.
    const { responses } = await opts.client.kv.txn({ success: ops });
    let at = 0;
    return counts.map((c, i) => {
      if (c.changed) at += 1;
      const kvs = responses[at++]?.response_range.kvs ?? [];
      // Our own key is counted from what we hold (the read may or may not see this transaction's put).
      let others = 0;
      for (const kv of kvs) if (!kv.key.equals(own[i] ?? Buffer.alloc(0))) others += Number(kv.value.toString()) || 0;
      return others + c.mine;
    });
  };
  return {
    async totals(counts) {
      forgetOldLeases();
      const batches: Promise<number[]>[] = [];
      for (let i = 0; i < counts.length; i += BATCH) batches.push(exchange(counts.slice(i, i + BATCH)));
      try {
        return (await Promise.all(batches)).flat();
      } catch (err: unknown) {
        // A lease etcd no longer knows fails every put under it: take new ones next time.
        leases.clear();
        throw err;
      }
    },
  };
}
