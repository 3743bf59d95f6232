// The local side of a GlobalRateLimit: per counter and window, the total of all replicas as last
// synced, what this process admitted since (pending) and what it sent and awaits the answer for
// (in flight). A request is admitted while the approximate sliding-window count — the previous
// window's total weighted by the share of it still inside the sliding window, plus the current
// window's — stays within the limit, as lua-resty-global-throttle (ingress-nginx) estimates it.
// No I/O and no clock of its own: the caller passes wall-clock milliseconds.
import type { CountItem } from './count-sync.ts';

interface Slot {
  readonly counter: string;
  readonly windowSeconds: number;
  readonly window: number;
  /** Total of all replicas at the last answer (our deltas up to then included). */
  shared: number;
  pending: number;
  inFlight: number;
  /** When a request of this window last came here (admitted or not). */
  seenMs: number;
}

/**
 * A counter asked for within this long has its total read at every exchange, even without new
 * counts here: a replica that served a key a moment ago knows what the others add to it. A key
 * quiet here for longer is read again with its next count.
 */
export const KEEP_FRESH_MS = 10_000;

/**
 * Windows held at most (two per key in use). Keys are request values a client may vary at will
 * ($http_x_api_client): past this, a new key's requests pass uncounted rather than grow this
 * process's memory, and the etcd keys of the replica, without bound.
 */
export const MAX_SLOTS = 100_000;

/** What became of a request: counted in, refused, or let through uncounted (MAX_SLOTS reached). */
export type Admission = 'admitted' | 'refused' | 'untracked';

const slotKey = (counter: string, window: number): string => `${counter}\n${window}`;
const total = (slot: Slot | undefined): number => (slot === undefined ? 0 : slot.shared + slot.pending + slot.inFlight);

export class SlidingCounters {
  private readonly slots = new Map<string, Slot>();

  private readonly maxSlots: number;

  constructor(maxSlots = MAX_SLOTS) {
    this.maxSlots = maxSlots;
  }

  /** Counts the request in, or refuses it when it would pass the limit (not counted). */
  admit(counter: string, limit: number, windowSeconds: number, nowMs: number): Admission {
    const windowMs = windowSeconds * 1000;
    const window = Math.floor(nowMs / windowMs);
    const known = this.slots.get(slotKey(counter, window));
    if (known === undefined && this.slots.size >= this.maxSlots) return 'untracked';
    const current = known ?? this.slot(counter, windowSeconds, window);
    const left = 1 - (nowMs - window * windowMs) / windowMs;
    const estimate = total(this.slots.get(slotKey(counter, window - 1))) * left + total(current);
    current.seenMs = nowMs;
    if (estimate + 1 > limit) return 'refused';
    current.pending += 1;
    return 'admitted';
  }

  /**
   * What to send: the pending count of every window that has one (moved to in flight), and the
   * window of each counter asked for within KEEP_FRESH_MS; with each, its previous window (its total
   * weighs in the estimate). Forgets windows no request can weigh in any more.
   */
  takeDeltas(nowMs: number): CountItem[] {
    this.prune(nowMs);
    const items = new Map<Slot, CountItem>();
    const add = (slot: Slot): void => {
      if (items.has(slot)) return;
      items.set(slot, { counter: slot.counter, windowSeconds: slot.windowSeconds, window: slot.window, delta: slot.pending });
      slot.inFlight += slot.pending;
      slot.pending = 0;
    };
    for (const slot of [...this.slots.values()]) {
      const current = slot.window === Math.floor(nowMs / (slot.windowSeconds * 1000));
      if (slot.pending === 0 && !(current && nowMs - slot.seenMs <= KEEP_FRESH_MS)) continue;
      add(slot);
      add(this.slots.get(slotKey(slot.counter, slot.window - 1)) ?? this.slot(slot.counter, slot.windowSeconds, slot.window - 1));
    }
    return [...items.values()];
  }

  /** The answer to `items` (as takeDeltas gave them): each window's total of all replicas. */
  applyTotals(items: readonly CountItem[], totals: readonly number[]): void {
    items.forEach((item, i) => {
      const slot = this.slot(item.counter, item.windowSeconds, item.window);
      slot.inFlight -= item.delta;
      slot.shared = Math.max(slot.shared, totals[i] ?? 0);
    });
  }

  /** No answer came for `items`: their counts go out again with the next exchange. */
  restore(items: readonly CountItem[]): void {
    for (const item of items) {
      const slot = this.slot(item.counter, item.windowSeconds, item.window);
      slot.inFlight -= item.delta;
      slot.pending += item.delta;
    }
  }

  /** Windows held (tests, and a bound on memory). */
  get size(): number {
    return this.slots.size;
  }

  private slot(counter: string, windowSeconds: number, window: number): Slot {
    const key = slotKey(counter, window);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { counter, windowSeconds, window, shared: 0, pending: 0, inFlight: 0, seenMs: -Infinity };
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** A window two windows old no longer counts; it goes once nothing of it waits to be sent. */
  private prune(nowMs: number): void {
    for (const [key, slot] of this.slots) {
      const over = (slot.window + 2) * slot.windowSeconds * 1000 <= nowMs;
      if (over && slot.pending === 0 && slot.inFlight === 0) this.slots.delete(key);
    }
  }
}
