// The local side of a GlobalRateLimit: per counter and window, the total of all replicas as last
// synced and this process's cumulative count (what it admitted in the window; the part of it the
// last total already included is `confirmed`). A request is admitted while the approximate
// sliding-window count — the previous window's total weighted by the share of it still inside the
// sliding window, plus the current window's — stays within the limit, as lua-resty-global-throttle
// (ingress-nginx) estimates it. No I/O and no clock of its own: the caller passes wall-clock ms.
import { counterId, type CountItem } from './count-sync.ts';

interface Slot {
  readonly rule: string;
  readonly counter: string;
  readonly windowSeconds: number;
  readonly window: number;
  /** Total of all replicas at the last answer (`confirmed` of ours included). */
  shared: number;
  /** Requests this process admitted in the window. */
  mine: number;
  /** The part of `mine` the last answer included. */
  confirmed: number;
  /** When a request of this window last came here (admitted or not). */
  seenMs: number;
  /** When the window was last handed to an exchange. */
  readMs: number;
}

/**
 * Windows held at most per rule (two per key in use). Keys are request values a client may vary at
 * will ($http_x_api_client): past this, a new key's requests of that rule pass uncounted rather
 * than grow this process's memory, and the etcd keys of the replica, without bound. Per rule, so
 * one rule's flood leaves the other rules counting.
 */
export const MAX_WINDOWS_PER_RULE = 100_000;

/** What became of a request: counted in, refused, or let through uncounted (its rule's budget is full). */
export type Admission = 'admitted' | 'refused' | 'untracked';

export interface SlidingCountersOptions {
  readonly maxWindowsPerRule?: number;
  /**
   * How long after a window ends the other replicas' last counts of it may still arrive: until a
   * read made that long after its end, the previous window is read with the current one.
   */
  readonly settleMs?: number;
}

const slotKey = (counter: string, window: number): string => `${counter}\n${window}`;
const total = (slot: Slot | undefined): number => (slot === undefined ? 0 : slot.shared + slot.mine - slot.confirmed);
const windowOf = (slot: Slot, nowMs: number): number => Math.floor(nowMs / (slot.windowSeconds * 1000));

export class SlidingCounters {
  private readonly slots = new Map<string, Slot>();

  private readonly perRule = new Map<string, number>();

  private readonly maxWindowsPerRule: number;

  private readonly settleMs: number;

  /** When the last exchange took its items: a window asked for since is read again. */
  private lastTakeMs = -Infinity;

  constructor(opts: SlidingCountersOptions = {}) {
    this.maxWindowsPerRule = opts.maxWindowsPerRule ?? MAX_WINDOWS_PER_RULE;
    this.settleMs = opts.settleMs ?? 5_000;
  }

  /** Counts the request in, or refuses it when it would pass the limit (not counted). */
  admit(rule: string, key: string, limit: number, windowSeconds: number, nowMs: number): Admission {
    const counter = counterId(rule, windowSeconds, key);
    const windowMs = windowSeconds * 1000;
    const window = Math.floor(nowMs / windowMs);
    const known = this.slots.get(slotKey(counter, window));
    if (known === undefined && (this.perRule.get(rule) ?? 0) >= this.maxWindowsPerRule) return 'untracked';
    const current = known ?? this.slot(rule, counter, windowSeconds, window);
    const left = 1 - (nowMs - window * windowMs) / windowMs;
    const estimate = total(this.slots.get(slotKey(counter, window - 1))) * left + total(current);
    current.seenMs = nowMs;
    if (estimate + 1 > limit) return 'refused';
    current.mine += 1;
    return 'admitted';
  }

  /**
   * What to send: the cumulative count of every window with counts the last answer did not include,
   * and the current window of each counter asked for since the last exchange; with each, its
   * previous window until it settled (its total weighs in the estimate). Forgets windows no
   * request can weigh in any more.
   */
  takeItems(nowMs: number): CountItem[] {
    this.prune(nowMs);
    const since = this.lastTakeMs;
    this.lastTakeMs = nowMs;
    const items = new Map<Slot, CountItem>();
    const add = (slot: Slot): void => {
      if (items.has(slot)) return;
      items.set(slot, { counter: slot.counter, windowSeconds: slot.windowSeconds, window: slot.window, count: slot.mine });
      slot.readMs = nowMs;
    };
    for (const slot of [...this.slots.values()]) {
      const askedNow = slot.window === windowOf(slot, nowMs) && slot.seenMs >= since;
      if (slot.mine === slot.confirmed && !askedNow) continue;
      add(slot);
      const previous = this.slots.get(slotKey(slot.counter, slot.window - 1));
      const settled = previous !== undefined && previous.readMs >= slot.window * slot.windowSeconds * 1000 + this.settleMs;
      if (!settled) add(previous ?? this.slot(slot.rule, slot.counter, slot.windowSeconds, slot.window - 1));
    }
    return [...items.values()];
  }

  /** The answer to `items` (as takeItems gave them): each window's total of all replicas. */
  applyTotals(items: readonly CountItem[], totals: readonly number[]): void {
    items.forEach((item, i) => {
      const slot = this.slots.get(slotKey(item.counter, item.window));
      if (slot === undefined) return;
      slot.shared = Math.max(slot.shared, totals[i] ?? 0);
      slot.confirmed = Math.max(slot.confirmed, item.count);
    });
  }

  /** Windows held (tests, and a bound on memory). */
  get size(): number {
    return this.slots.size;
  }

  private slot(rule: string, counter: string, windowSeconds: number, window: number): Slot {
    const slot: Slot = { rule, counter, windowSeconds, window, shared: 0, mine: 0, confirmed: 0, seenMs: -Infinity, readMs: -Infinity };
    this.slots.set(slotKey(counter, window), slot);
    this.perRule.set(rule, (this.perRule.get(rule) ?? 0) + 1);
    return slot;
  }

  /** A window two windows old no longer counts (its count is of no use to any replica either). */
  private prune(nowMs: number): void {
    for (const [key, slot] of this.slots) {
      if ((slot.window + 2) * slot.windowSeconds * 1000 > nowMs) continue;
      this.slots.delete(key);
      const left = (this.perRule.get(slot.rule) ?? 1) - 1;
      if (left > 0) this.perRule.set(slot.rule, left);
      else this.perRule.delete(slot.rule);
    }
  }
}
