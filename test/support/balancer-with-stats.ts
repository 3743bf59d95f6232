// Test helper: a Balancer over per-endpoint stats the test can eject, with a seeded random source.
import { Balancer } from '../../src/dataplane/upstream/balancer.ts';
import { EndpointStats, endpointKey } from '../../src/dataplane/upstream/endpoint-stats.ts';
import type { Endpoint } from '../../src/routing/types.ts';
import { seededRandom } from './seeded-random.ts';

export function balancerWithStats(seed: number): { balancer: Balancer; eject: (e: Endpoint) => void } {
  const stats = new Map<string, EndpointStats>();
  const statsOf = (e: Endpoint): EndpointStats => {
    const s = stats.get(endpointKey(e)) ?? new EndpointStats();
    stats.set(endpointKey(e), s);
    return s;
  };
  const balancer = new Balancer({ stats: statsOf, ejectionsUntil: () => Number.POSITIVE_INFINITY, now: () => 0, random: seededRandom(seed) });
  return { balancer, eject: (e) => { statsOf(e).ejectedUntil = 1; } };
}
