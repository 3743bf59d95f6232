// What a data-plane process exchanges with the holder of the shared counts (the primary process, or
// its own process with --workers 0): its cumulative count per counter and window, answered by the
// total of every replica for each of those windows. Cumulative, not deltas: a message sent again
// (after an IPC timeout) or answered late cannot count anything twice.

/** One counter's window: a request key of a GlobalRateLimit rule, counted per window of its size. */
export interface CountItem {
  /** The rule, window size and request key (counterId). */
  readonly counter: string;
  readonly windowSeconds: number;
  /** Which window: floor(wall-clock ms / window ms). */
  readonly window: number;
  /** Requests this process admitted in the window so far (0: only the total is wanted). */
  readonly count: number;
}

/** The total of all replicas for each item, in order, the counts sent included. */
export type CountSync = (items: readonly CountItem[]) => Promise<readonly number[]>;

/** The holder's side: `source` names one data-plane process (a restarted worker is a new source). */
export type SourcedCountSync = (source: string, items: readonly CountItem[]) => Promise<readonly number[]>;

/** One counter per rule, window size and request key (the key is the request's values, any text). */
export function counterId(rule: string, windowSeconds: number, key: string): string {
  return `${rule}\n${windowSeconds}\n${key}`;
}
