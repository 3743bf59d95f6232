import { describe, expect, it } from '@jest/globals';
import { SortedKeys, insertSorted, nextMap } from './sorted-keys.ts';

function keysOf(...keys: string[]): SortedKeys {
  const sorted = new SortedKeys();
  for (const key of keys) sorted.insert(key);
  return sorted;
}

describe('SortedKeys', () => {
  it('keeps keys once, in code-unit order', () => {
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
  const previous: ReadonlyMap<string, string> = new Map([['b', 'B'], ['d', 'D'], ['f', 'F']]);
  const values = new Map([['a', 'A2'], ['b', 'B'], ['c', 'C2'], ['d', 'D2'], ['f', 'F'], ['g', 'G2']]);
  const valueOf = (key: string): string => values.get(key) ?? '?';

  it('gives the previous map when nothing differs', () => {
    expect(nextMap(previous, keysOf('b', 'd', 'f'), new Set(), valueOf)).toBe(previous);
    expect(nextMap(previous, keysOf('b', 'd', 'f'), new Set(['b', 'x']), valueOf)).toBe(previous);
  });

  it('replaces values, drops removed keys and merges added ones in order', () => {
    const next = nextMap(previous, keysOf('a', 'b', 'c', 'd', 'g'), new Set(['g', 'a', 'c', 'd', 'f']), valueOf);
    expect([...next]).toEqual([['a', 'A2'], ['b', 'B'], ['c', 'C2'], ['d', 'D2'], ['g', 'G2']]);
    expect([...previous]).toEqual([['b', 'B'], ['d', 'D'], ['f', 'F']]);
  });

  it('builds from nothing', () => {
    expect([...nextMap(new Map<string, string>(), keysOf('c', 'a'), new Set(['c', 'a']), valueOf)]).toEqual([['a', 'A2'], ['c', 'C2']]);
  });
});
