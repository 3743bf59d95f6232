// Sorted collections the incremental build keeps between builds, and the step that turns them into
// the next readonly map of a table: the same map when nothing changed, so tablesEqual and the data
// plane settle unchanged parts by identity.
import { compareStrings } from './compare.ts';

/** Where `item` is, or would go, in `list` sorted by `compare`: the first index not before it. */
function lowerBound<T>(list: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const at = list[middle];
    if (at !== undefined && compare(at, item) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Inserts `item` after every element that does not sort after it (stable for equal keys). */
export function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  let index = list.length;
  list.push(item);
  while (index > 0 && compare(list[index - 1] as T, item) > 0) {
    list[index] = list[index - 1] as T;
    index -= 1;
  }
  list[index] = item;
}

/** Removes `item` (by identity); false when it is not in `list`. */
export function removeItem<T>(list: T[], item: T): boolean {
  const index = list.indexOf(item);
  if (index === -1) return false;
  list.copyWithin(index, index + 1);
  list.pop();
  return true;
}

/** Up to this many keys are inserted one by one; more are sorted and merged in one pass. */
const MERGE_ABOVE = 16;

/**
 * A set of strings kept in compareStrings order. Inserts are buffered until the next read, so
 * filling it with many keys at once (a first build) costs a sort and a merge, not a move per key.
 */
export class SortedKeys {
  private keys: string[] = [];
  private pending: string[] = [];

  get size(): number {
    return this.sorted().length;
  }

  has(key: string): boolean {
    const keys = this.sorted();
    return keys[lowerBound(keys, key, compareStrings)] === key;
  }

  insert(key: string): void {
    this.pending.push(key);
  }

  remove(key: string): void {
    const keys = this.sorted();
    const index = lowerBound(keys, key, compareStrings);
    if (keys[index] !== key) return;
    keys.copyWithin(index, index + 1);
    keys.pop();
  }

  values(): readonly string[] {
    return this.sorted();
  }

  private sorted(): string[] {
    if (this.pending.length === 0) return this.keys;
    const pending = this.pending;
    this.pending = [];
    if (pending.length > MERGE_ABOVE) this.keys = mergeSorted(this.keys, pending.sort(compareStrings));
    else for (const key of pending) this.insertNow(key);
    return this.keys;
  }

  private insertNow(key: string): void {
    const index = lowerBound(this.keys, key, compareStrings);
    if (this.keys[index] === key) return;
    this.keys.push(key);
    this.keys.copyWithin(index + 1, index, this.keys.length - 1);
    this.keys[index] = key;
  }
}

/** Two sorted lists as one, without duplicates. */
function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const merged: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const next = y === undefined || (x !== undefined && compareStrings(x, y) <= 0) ? x : y;
    if (next === x) i += 1;
    if (next === y) j += 1;
    if (next !== undefined && next !== merged[merged.length - 1]) merged.push(next);
  }
  return merged;
}

/**
 * The next version of a map that holds one value per key of `keys`, in key order. `changed` names
 * every key whose value or presence changed since `previous`: none (or none that differs) gives
 * `previous` itself; else one ordered pass over `previous` copies it, with changed values replaced,
 * removed keys left out and added keys merged in at their place.
 */
export function nextMap<V>(
  previous: ReadonlyMap<string, V>,
  keys: SortedKeys,
  changed: ReadonlySet<string>,
  valueOf: (key: string) => V,
): ReadonlyMap<string, V> {
  if (changed.size === 0) return previous;
  if (previous.size === 0 || changed.size * 4 > keys.size) return rebuildMap(previous, keys, valueOf);
  const updates = new Map<string, V | undefined>();
  const added: string[] = [];
  for (const key of changed) {
    const value = keys.has(key) ? valueOf(key) : undefined;
    if (value === previous.get(key)) continue;
    updates.set(key, value);
    if (!previous.has(key) && value !== undefined) added.push(key);
  }
  if (updates.size === 0) return previous;
  added.sort(compareStrings);
  return mergeMap(previous, updates, added);
}

/** The map from every key; `previous` itself when that is what it holds already. */
function rebuildMap<V>(previous: ReadonlyMap<string, V>, keys: SortedKeys, valueOf: (key: string) => V): ReadonlyMap<string, V> {
  const next = new Map<string, V>();
  let same = previous.size === keys.size;
  for (const key of keys.values()) {
    const value = valueOf(key);
    next.set(key, value);
    if (same && previous.get(key) !== value) same = false;
  }
  return same ? previous : next;
}

function mergeMap<V>(previous: ReadonlyMap<string, V>, updates: ReadonlyMap<string, V | undefined>, added: readonly string[]): Map<string, V> {
  const next = new Map<string, V>();
  let index = 0;
  const addBefore = (key: string | undefined): void => {
    for (let at = added[index]; at !== undefined && (key === undefined || compareStrings(at, key) < 0); at = added[++index]) {
      const value = updates.get(at);
      if (value !== undefined) next.set(at, value);
    }
  };
  previous.forEach((value, key) => {
    if (index < added.length) addBefore(key);
    const update = updates.has(key) ? updates.get(key) : value;
    if (update !== undefined) next.set(key, update);
  });
  addBefore(undefined);
  return next;
}
