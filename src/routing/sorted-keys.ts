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
  let index = lowerBound(list, item, compare);
  while (index < list.length && compare(list[index] as T, item) === 0) index += 1;
  list.splice(index, 0, item);
}

/** Removes `item` (by identity); false when it is not in `list`. */
export function removeItem<T>(list: T[], item: T): boolean {
  const index = list.indexOf(item);
  if (index === -1) return false;
  list.splice(index, 1);
  return true;
}

/** A set of strings kept in compareStrings order. */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    return this.keys[lowerBound(this.keys, key, compareStrings)] === key;
  }

  insert(key: string): void {
    const index = lowerBound(this.keys, key, compareStrings);
    if (this.keys[index] !== key) this.keys.splice(index, 0, key);
  }

  remove(key: string): void {
    const index = lowerBound(this.keys, key, compareStrings);
    if (this.keys[index] === key) this.keys.splice(index, 1);
  }

  values(): readonly string[] {
    return this.keys;
  }
}

/**
 * The next version of a map that holds one value per key of `keys`, in key order. `changed` names
 * every key whose value or presence changed since `previous`: none gives `previous` itself; only
 * values gives a copy with those values replaced (a Map keeps the position of a replaced key); a key
 * added or removed rebuilds the map in order.
 */
export function nextMap<V>(
  previous: ReadonlyMap<string, V>,
  keys: SortedKeys,
  changed: ReadonlySet<string>,
  valueOf: (key: string) => V,
): ReadonlyMap<string, V> {
  const updates: [string, V][] = [];
  for (const key of changed) {
    const present = keys.has(key);
    if (previous.has(key) !== present) return buildMap(keys, valueOf);
    const value = present ? valueOf(key) : undefined;
    if (value !== undefined && value !== previous.get(key)) updates.push([key, value]);
  }
  if (updates.length === 0) return previous;
  const next = new Map(previous);
  for (const [key, value] of updates) next.set(key, value);
  return next;
}

function buildMap<V>(keys: SortedKeys, valueOf: (key: string) => V): Map<string, V> {
  const map = new Map<string, V>();
  for (const key of keys.values()) map.set(key, valueOf(key));
  return map;
}
