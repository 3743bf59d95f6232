import { describe, expect, it } from '@jest/globals';
import { SortedKeys, insertSorted, nextMap } from './sorted-keys.ts';

function keysOf(...keys: string[]): SortedKeys {
  const sorted = new SortedKeys();
  for (const key of keys) sorted.insert(key);
  return sorted;
}

describe('SortedKeys', () => {
  it('keeps keys once, in code-unit order, inserted one by one or many at once', () => {
    const many = keysOf(...Array.from({ length: 40 }, (_, i) => String(39 - i)), '7', '30');
    expect(many.values()).toEqual(Array.from({ length: 40 }, (_, i) => String(i)).sort());
    const keys = keysOf('b', 'a-b', 'a', 'B', 'a');
    expect(keys.values()).toEqual(['B', 'a', 'a-b', 'b']);
    keys.remove('a-b');
    keys.remove('zz');
    expect(keys.values()).toEqual(['B', 'a', 'b']);
    expect([keys.has('a'), keys.has('a-b'), keys.size]).toEqual([true, false, 3]);
  });

  it('insertSorted puts an item after the ones that sort equal', () => {
    const list = [{ k: 1, n: 'x' }, { k: 3, n: 'y' }];
    insertSorted(list, { k: 1, n: 'z' }, (a, b) => a.k - b.k);
    expect(list.map((i) => i.n)).toEqual(['x', 'z', 'y']);
  });
});

describe('nextMap', () => {
  const previous: ReadonlyMap<string, string> = new Map([['b', 'B'], ['d', 'D'], ['f', 'F'], ['h', 'H'], ['j', 'J'], ['l', 'L']]);
  /** valueOf must agree with `previous` on every key not named as changed. */
  const current = (changes: Record<string, string>) => (key: string): string => changes[key] ?? previous.get(key) ?? '?';

  it('gives the previous map when nothing differs', () => {
    const keys = keysOf('b', 'd', 'f', 'h', 'j', 'l');
    expect(nextMap(previous, keys, new Set(), current({}))).toBe(previous);
    expect(nextMap(previous, keys, new Set(['b']), current({}))).toBe(previous);
    expect(nextMap(previous, keys, new Set(['b', 'x', 'd']), current({}))).toBe(previous);
  });

  it('replaces values, drops removed keys and merges added ones in order', () => {
    const keys = keysOf('a', 'b', 'd', 'h', 'j', 'l', 'm');
    const next = nextMap(previous, keys, new Set(['m', 'a', 'd', 'f']), current({ a: 'A', d: 'D2', m: 'M' }));
    expect([...next]).toEqual([['a', 'A'], ['b', 'B'], ['d', 'D2'], ['h', 'H'], ['j', 'J'], ['l', 'L'], ['m', 'M']]);
    expect([...previous].map(([key]) => key)).toEqual(['b', 'd', 'f', 'h', 'j', 'l']);
  });

  it('rebuilds when most keys changed, and builds from nothing', () => {
    const keys = keysOf('b', 'd', 'f', 'h', 'j', 'l');
    const next = nextMap(previous, keys, new Set(['b', 'd', 'f', 'h']), current({ b: 'B2', h: 'H2' }));
    expect([...next]).toEqual([['b', 'B2'], ['d', 'D'], ['f', 'F'], ['h', 'H2'], ['j', 'J'], ['l', 'L']]);
    expect([...nextMap(new Map<string, string>(), keysOf('c', 'a'), new Set(['c', 'a']), (key) => key.toUpperCase())]).toEqual([['a', 'A'], ['c', 'C']]);
  });
});
