// The holder of one replica's share of the global counts: the primary process (or the data plane's
// own with --workers 0) keeps, per counter and window, the cumulative count each data-plane process
// last reported (the highest seen: a message repeated after an IPC timeout changes nothing), and
// with a backend (etcd) publishes their sum and reads back the total of every replica.
// Counts are recorded when a message arrives. At most one exchange with the backend runs: a
// process asking meanwhile is answered at once from the last totals read, and its windows go with
// the next exchange (started as soon as this one succeeds), so nothing queues behind a slow
// backend. Without a backend, or while it
// fails, the totals are this replica's alone: each replica then limits by itself (the shared part
// fails open).
import type { CountItem, SourcedCountSync } from './count-sync.ts';

/** One window's cumulative count on this replica, as published. */
export interface ReplicaCount {
  readonly counter: string;
  readonly windowSeconds: number;
  readonly window: number;
  readonly mine: number;
  /** It grew since it was last published (else only the total is read). */
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

interface WindowCounts {
  readonly counter: string;
  readonly windowSeconds: number;
  readonly window: number;
  /** The highest cumulative count each data-plane process reported, and their sum. */
  readonly bySource: Map<string, number>;
  sum: number;
  /** The replica's count last written to the backend. */
  published: number;
  /** Every replica's total as last read, and the replica's count it included. */
  total: number;
  totalMine: number;
}

export function createSharedCounts(opts: SharedCountsOptions = {}): SourcedCountSync {
  const windows = new Map<string, WindowCounts>();
  /** Windows asked for since the last exchange began: read by the next one. */
  const wanted = new Set<WindowCounts>();
  /** Windows whose count grew since it was last written: written by the next exchange. */
  const dirty = new Set<WindowCounts>();
  let prunedAt = -Infinity;
  const now = opts.now ?? Date.now;
  let shared: boolean | undefined;
  let running: Promise<void> | undefined;
  const note = (value: boolean, reason: string): void => {
    if (shared === value) return;
    shared = value;
    opts.onShared?.(value, reason);
  };
  const record = (source: string, item: CountItem): WindowCounts => {
    const key = `${item.counter}\n${item.window}`;
    let w = windows.get(key);
    if (w === undefined) {
      w = { counter: item.counter, windowSeconds: item.windowSeconds, window: item.window, bySource: new Map(), sum: 0, published: 0, total: 0, totalMine: 0 };
      windows.set(key, w);
    }
    const before = w.bySource.get(source) ?? 0;
    w.bySource.set(source, Math.max(before, item.count));
    if (item.count > before) {
      w.sum += item.count - before;
      dirty.add(w);
    }
    return w;
  };
  /** A window two windows old no longer weighs in any estimate (looked for at most once a second). */
  const prune = (): void => {
    const at = now();
    if (at - prunedAt < 1000) return;
    prunedAt = at;
    for (const [key, w] of windows) {
      if ((w.window + 2) * w.windowSeconds * 1000 > at) continue;
      windows.delete(key);
      wanted.delete(w);
      dirty.delete(w);
    }
  };
  /** The last total read plus what this replica counted since; its own count alone while unshared. */
  const known = (w: WindowCounts): number => {
    const mine = w.sum;
    return shared === true ? Math.max(mine, w.total + mine - w.totalMine) : mine;
  };
  /** Whether the backend answered. */
  const exchange = async (backend: CountBackend): Promise<boolean> => {
    prune();
    const list = [...new Set([...wanted, ...dirty])];
    wanted.clear();
    dirty.clear();
    const counts = list.map((w): ReplicaCount => ({ counter: w.counter, windowSeconds: w.windowSeconds, window: w.window, mine: w.sum, changed: w.sum > w.published }));
    const started = performance.now();
    try {
      const totals = await backend.totals(counts);
      opts.onExchange?.((performance.now() - started) / 1000, false);
      list.forEach((w, i) => {
        const mine = counts[i]?.mine ?? 0;
        w.published = Math.max(w.published, mine);
        w.total = Math.max(totals[i] ?? 0, mine);
        w.totalMine = mine;
      });
      note(true, 'the shared store answers');
      return true;
    } catch (err: unknown) {
      // Written again with the next exchange (if the windows still matter then).
      for (const w of list) if (w.sum > w.published && windows.get(`${w.counter}\n${w.window}`) === w) dirty.add(w);
      opts.onExchange?.((performance.now() - started) / 1000, true);
      note(false, err instanceof Error ? err.message : String(err));
      return false;
    }
  };
  /**
   * Runs an exchange; once it succeeds, another for what came meanwhile (counts asked for while it
   * ran would otherwise wait for the next process to ask). Not after a failure: the next sync retries.
   */
  const start = (backend: CountBackend): Promise<void> => {
    const run = exchange(backend).then((answered) => {
      running = undefined;
      if (answered && (wanted.size > 0 || dirty.size > 0)) void start(backend);
    });
    running = run;
    return run;
  };
  return async (source, items) => {
    prune();
    const asked = items.map((item) => record(source, item));
    const backend = opts.backend;
    if (backend === undefined) {
      note(false, opts.withoutBackend ?? 'no shared store');
      return asked.map(known);
    }
    for (const w of asked) wanted.add(w);
    if (running === undefined) await start(backend);
    return asked.map(known);
  };
}
