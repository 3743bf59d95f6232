// A set of names each due at a time, with one timer for the earliest: the issuer's schedule of
// renewals and retries. Timers are injected so tests can drive them.

export interface Timers {
  /** Calls `fn` after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export const realTimers: Timers = {
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, Math.min(ms, MAX_TIMER_MS)));
    t.unref();
    return () => { clearTimeout(t); };
  },
};

export interface DueQueue {
  /** (Re)schedules `name` at `when` (Unix ms); earlier than now means at once. */
  at(name: string, when: number): void;
  remove(name: string): void;
  clear(): void;
  /** When `name` is due, if scheduled. */
  when(name: string): number | undefined;
}

export function createDueQueue(now: () => number, timers: Timers, onDue: (names: string[]) => void): DueQueue {
  const due = new Map<string, number>();
  let cancel: (() => void) | undefined;
  let armedFor = Infinity;

  const arm = (): void => {
    const next = Math.min(...due.values());
    if (next === armedFor) return;
    cancel?.();
    cancel = undefined;
    armedFor = next;
    if (next === Infinity) return;
    cancel = timers.after(next - now(), fire);
  };

  function fire(): void {
    cancel = undefined;
    armedFor = Infinity;
    const t = now();
    const ready = [...due.entries()].filter(([, w]) => w <= t).map(([n]) => n).sort();
    for (const n of ready) due.delete(n);
    arm();
    if (ready.length > 0) onDue(ready);
  }

  return {
    at(name, when) { due.set(name, when); arm(); },
    remove(name) { due.delete(name); arm(); },
    clear() { due.clear(); arm(); },
    when: (name) => due.get(name),
  };
}
