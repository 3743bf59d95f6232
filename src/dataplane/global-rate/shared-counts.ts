// The holder of one replica's share of the global counts: the primary process (or the data plane's
// own with --workers 0) sums what its data-plane processes admitted, per counter and window, and
// with a backend (etcd) publishes that cumulative count and reads back the total of every replica.
// Without a backend, or while it fails, the totals are this replica's alone: each replica then
// limits by itself (the shared part fails open). Exchanges run one at a time, in order, so the
// cumulative counts written never go back.
import type { CountItem, CountSync } from './count-sync.ts';

/** One window's cumulative count on this replica, as published. */
export interface ReplicaCount {
  readonly counter: string;
  readonly windowSeconds: number;
  readonly window: number;
  readonly mine: number;
  /** It grew since the last exchange (else only the total is read). */
  readonly changed: boolean;
}

/** Where the replicas' counts meet; `totals` answers, in order, every replica's sum for each window. */
export interface CountBackend {
  totals(counts: readonly ReplicaCount[]): Promise<readonly number[]>;
}

export interface SharedCountsOptions {
  readonly backend?: CountBackend | undefined;
  /** Why there is no backend (for the log line): e.g. no --etcd-endpoints. */
  readonly withoutBackend?: string;
  readonly now?: () => number;
  /** Counting is shared (true) or per replica (false): called on every change, and once at the first exchange. */
  readonly onShared?: (shared: boolean, reason: string) => void;
  readonly onExchange?: (seconds: number, failed: boolean) => void;
}

interface Cumulative { readonly counter: string; readonly windowSeconds: number; readonly window: number; count: number }

export function createSharedCounts(opts: SharedCountsOptions = {}): CountSync {
  const mine = new Map<string, Cumulative>();
  const now = opts.now ?? Date.now;
  let shared: boolean | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const note = (value: boolean, reason: string): void => {
    if (shared === value) return;
    shared = value;
    opts.onShared?.(value, reason);
  };
  const add = (item: CountItem): ReplicaCount => {
    const key = `${item.counter}\n${item.window}`;
    let entry = mine.get(key);
    if (entry === undefined) {
      entry = { counter: item.counter, windowSeconds: item.windowSeconds, window: item.window, count: 0 };
      mine.set(key, entry);
    }
    entry.count += item.delta;
    return { counter: entry.counter, windowSeconds: entry.windowSeconds, window: entry.window, mine: entry.count, changed: item.delta > 0 };
  };
  const prune = (): void => {
    const at = now();
    for (const [key, e] of mine) if ((e.window + 2) * e.windowSeconds * 1000 <= at) mine.delete(key);
  };
  const exchange = async (items: readonly CountItem[]): Promise<readonly number[]> => {
    prune();
    const counts = items.map(add);
    const local = counts.map((c) => c.mine);
    if (opts.backend === undefined) {
      note(false, opts.withoutBackend ?? 'no shared store');
      return local;
    }
    const started = performance.now();
    try {
      const totals = await opts.backend.totals(counts);
      opts.onExchange?.((performance.now() - started) / 1000, false);
      note(true, 'the shared store answers');
      return totals.map((t, i) => Math.max(t, local[i] ?? 0));
    } catch (err: unknown) {
      opts.onExchange?.((performance.now() - started) / 1000, true);
      note(false, err instanceof Error ? err.message : String(err));
      return local;
    }
  };
  return (items) => {
    const result = queue.then(() => exchange(items));
    queue = result.catch(() => undefined);
    return result;
  };
}
