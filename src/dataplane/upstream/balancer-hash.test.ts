import { describe, expect, it } from '@jest/globals';
import { balancerWithStats } from '../../../test/support/balancer-with-stats.ts';
import type { Endpoint, Upstream } from '../../routing/types.ts';
import { Balancer } from './balancer.ts';
import { endpointKey } from './endpoint-stats.ts';
import { hashKeyPosition } from './hash-key.ts';
import { cutSubsets } from './session-rings.ts';

const endpoint = (i: number): Endpoint => ({ host: `10.2.0.${i}`, port: 8080 });
const upstream = (count: number): Upstream => ({
  key: 'shop/web:80', service: { namespace: 'shop', name: 'web' }, endpoints: Array.from({ length: count }, (_, i) => endpoint(i + 1)),
});


const keys = Array.from({ length: 3000 }, (_, i) => `/items/${i}`);
const hostFor = (balancer: Balancer, on: Upstream, key: string, subsetSize?: number, tried?: ReadonlySet<string>): string =>
  balancer.choose(on, 'round-robin', { position: hashKeyPosition(key), subsetSize }, tried)?.host ?? 'none';

describe('consistent hashing (upstream-hash-by)', () => {
  it('sends one key to one endpoint, whatever the policy and however often', () => {
    const { balancer } = balancerWithStats(7);
    const on = upstream(5);
    for (const key of keys.slice(0, 50)) {
      const first = hostFor(balancer, on, key);
      for (let i = 0; i < 5; i++) expect(balancer.choose(on, 'ewma', { position: hashKeyPosition(key), subsetSize: undefined })?.host).toBe(first);
    }
  });

  it('spreads keys over every endpoint, and a fifth endpoint takes about a fifth of them from the others, moving none between them', () => {
    const { balancer } = balancerWithStats(7);
    const before = new Map(keys.map((k) => [k, hostFor(balancer, upstream(4), k)]));
    expect(new Set(before.values()).size).toBe(4);
    const after = new Map(keys.map((k) => [k, hostFor(balancer, upstream(5), k)]));
    const moved = keys.filter((k) => before.get(k) !== after.get(k));
    expect(moved.every((k) => after.get(k) === endpoint(5).host)).toBe(true);
    expect(moved.length / keys.length).toBeGreaterThan(0.1);
    expect(moved.length / keys.length).toBeLessThan(0.3);
  });

  it('goes around an ejected or already tried endpoint to the next on the ring, and back once it is eligible', () => {
    const { balancer, eject } = balancerWithStats(7);
    const on = upstream(3);
    const key = keys.find((k) => hostFor(balancer, on, k) === endpoint(2).host) ?? '';
    const tried = new Set([endpointKey(endpoint(2))]);
    const detour = hostFor(balancer, on, key, undefined, tried);
    expect(detour).not.toBe(endpoint(2).host);
    eject(endpoint(2));
    expect(hostFor(balancer, on, key)).toBe(detour);
  });

  it('with subsets, keeps each key within one subset of that size and uses all of its members', () => {
    const { balancer } = balancerWithStats(7);
    const on = upstream(7);
    for (const key of keys.slice(0, 20)) {
      const seen = new Set(Array.from({ length: 60 }, () => hostFor(balancer, on, key, 3)));
      expect(seen.size).toBe(3);
      const subsets = cutSubsets(7, 3).map((members) => members.map((i) => on.endpoints[i]?.host));
      expect(subsets.some((members) => [...seen].every((h) => members.includes(h)))).toBe(true);
    }
  });

  it('cuts subsets in order, the last filled up from the first endpoints, as ingress-nginx does', () => {
    expect(cutSubsets(7, 3)).toEqual([[0, 1, 2], [3, 4, 5], [6, 0, 1]]);
    expect(cutSubsets(6, 3)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(cutSubsets(2, 3)).toEqual([[0, 1]]);
    expect(cutSubsets(0, 3)).toEqual([]);
  });

  it('finds no endpoint in an empty upstream', () => {
    const { balancer } = balancerWithStats(7);
    expect(hostFor(balancer, upstream(0), '/x')).toBe('none');
    expect(hostFor(balancer, upstream(0), '/x', 3)).toBe('none');
  });
});
