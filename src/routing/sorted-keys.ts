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
