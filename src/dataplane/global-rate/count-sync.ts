// What a data-plane process exchanges with the holder of the shared counts (the primary process, or
// its own process with --workers 0): the requests it admitted per counter and window since the last
// exchange, answered by the total of every replica for each of those windows.

/** One counter's window: a request key of a GlobalRateLimit rule, counted per window of its size. */
export interface CountItem {
  /** The rule, window size and request key (counterId). */
  readonly counter: string;
  readonly windowSeconds: number;
  /** Which window: floor(wall-clock ms / window ms). */
  readonly window: number;
  /** Requests admitted here since the last exchange (0: only the total is wanted). */
  readonly delta: number;
}

/** The total of all replicas for each item, in order, the deltas sent included. */
export type CountSync = (items: readonly CountItem[]) => Promise<readonly number[]>;

/** One counter per rule, window size and request key (the key is the request's values, any text). */
export function counterId(rule: string, windowSeconds: number, key: string): string {
  return `${rule}\n${windowSeconds}\n${key}`;
}
