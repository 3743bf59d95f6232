import { describe, expect, it } from '@jest/globals';
import { balancerWithStats } from '../../../test/support/balancer-with-stats.ts';
import type { Endpoint, Upstream } from '../../routing/types.ts';
import { Balancer } from './balancer.ts';
import { endpointHash } from './endpoint-hash.ts';
import { endpointKey } from './endpoint-stats.ts';
import { formatPosition, parseSessionKey, type SessionKey } from './session-key.ts';

const endpoint = (i: number): Endpoint => ({ host: `10.1.0.${i}`, port: 8080 });
const upstream = (...endpoints: Endpoint[]): Upstream => ({ key: 'shop/web:80', service: { namespace: 'shop', name: 'web' }, endpoints });


const keyOf = (value: string): SessionKey => {
  const key = parseSessionKey(value);
  if (key === undefined) throw new Error(`not a session key: ${value}`);
  return key;
};

/** `count` sessions placed as forward.ts places them: the balancer picks, the cookie leads there. */
function sessions(balancer: Balancer, on: Upstream, mode: 'balanced' | 'persistent', count: number): string[] {
  return Array.from({ length: count }, () => {
    const picked = balancer.pick(on, 'round-robin');
    if (picked === undefined) throw new Error('no endpoint');
    return balancer.sessionValue(on, picked, mode);
  });
}

const hostOf = (balancer: Balancer, on: Upstream, value: string, tried?: ReadonlySet<string>): string | undefined =>
  balancer.stick(on, keyOf(value), tried)?.endpoint.host;

describe('Balancer.stick and sessionValue', () => {
  const two = upstream(endpoint(1), endpoint(2));
  const three = upstream(endpoint(1), endpoint(2), endpoint(3));

  it('leads every new session back to the endpoint that served it, in either mode', () => {
    const { balancer } = balancerWithStats(1);
    for (const mode of ['balanced', 'persistent'] as const) {
      for (let i = 0; i < 50; i++) {
        const picked = balancer.pick(three, 'round-robin');
        if (picked === undefined) throw new Error('no endpoint');
        const value = balancer.sessionValue(three, picked, mode);
        expect(value).toMatch(mode === 'balanced' ? /^[0-9a-f]{8}$/ : /^[0-9a-f]{32}$/);
        expect(balancer.stick(three, keyOf(value))).toEqual({ endpoint: picked, detour: false });
      }
    }
  });

  it('balanced: when a third endpoint is added, about a third of the sessions move, all to it', () => {
    const { balancer } = balancerWithStats(1);
    const values = sessions(balancer, two, 'balanced', 3000);
    const before = values.map((v) => hostOf(balancer, two, v));
    const after = values.map((v) => hostOf(balancer, three, v));
    const moved = after.filter((h, i) => h !== before[i]);
    expect(new Set(moved)).toEqual(new Set(['10.1.0.3']));
    // The third endpoint's share of the ring: 1/3 within ±20% (session-ring.test.ts).
    expect(moved.length / values.length).toBeGreaterThan(0.8 / 3);
    expect(moved.length / values.length).toBeLessThan(1.2 / 3);
  });

  it('balanced: when an endpoint is removed, only its sessions move', () => {
    const { balancer } = balancerWithStats(1);
    const values = sessions(balancer, three, 'balanced', 900);
    const before = values.map((v) => hostOf(balancer, three, v));
    const after = values.map((v) => hostOf(balancer, two, v));
    for (const [i, host] of before.entries()) if (host !== '10.1.0.3') expect(after[i]).toBe(host);
    expect(new Set(after)).toEqual(new Set(['10.1.0.1', '10.1.0.2']));
  });

  it('persistent: adding or removing other endpoints moves no session', () => {
    const { balancer } = balancerWithStats(1);
    const values = sessions(balancer, two, 'persistent', 300);
    const before = values.map((v) => hostOf(balancer, two, v));
    expect(values.map((v) => hostOf(balancer, three, v))).toEqual(before);
    const grown = upstream(endpoint(1), endpoint(2), endpoint(3), endpoint(4), endpoint(5));
    expect(values.map((v) => hostOf(balancer, grown, v))).toEqual(before);
    // Its endpoint gone, a persistent session leads nowhere: the balancer picks and the cookie is rewritten.
    const gone = values.find((v) => hostOf(balancer, two, v) === '10.1.0.1') ?? '';
    expect(balancer.stick(upstream(endpoint(2)), keyOf(gone))).toBeUndefined();
  });

  it('balanced: a session whose endpoint is ejected or tried detours to the next endpoint on the ring, the same each time', () => {
    const { balancer, eject } = balancerWithStats(1);
    const values = sessions(balancer, three, 'balanced', 300).filter((v) => hostOf(balancer, three, v) === '10.1.0.2');
    expect(values.length).toBeGreaterThan(50);
    const tried = new Set([endpointKey(endpoint(2))]);
    const detours = values.map((v) => balancer.stick(three, keyOf(v), tried));
    expect(detours.every((s) => s?.detour === true && s.endpoint.host !== '10.1.0.2')).toBe(true);
    // Where it would go without the endpoint: both others take a share.
    expect(detours.map((s) => s?.endpoint.host)).toEqual(values.map((v) => hostOf(balancer, upstream(endpoint(1), endpoint(3)), v)));
    expect(new Set(detours.map((s) => s?.endpoint.host)).size).toBe(2);
    eject(endpoint(2));
    expect(values.map((v) => balancer.stick(three, keyOf(v)))).toEqual(detours);
  });

  it('persistent: a session whose endpoint is ejected leads nowhere (the balancer picks)', () => {
    const { balancer, eject } = balancerWithStats(1);
    const value = endpointHash(endpoint(2));
    expect(hostOf(balancer, three, value)).toBe('10.1.0.2');
    eject(endpoint(2));
    expect(balancer.stick(three, keyOf(value))).toBeUndefined();
  });

  it('reads both forms in either mode, so changing affinity-mode moves no session', () => {
    const { balancer } = balancerWithStats(1);
    expect(hostOf(balancer, three, endpointHash(endpoint(3)))).toBe('10.1.0.3');
    const position = balancer.sessionValue(three, endpoint(1), 'balanced');
    expect(hostOf(balancer, three, position)).toBe('10.1.0.1');
    expect(keyOf(formatPosition(0))).toEqual({ kind: 'position', position: 0 });
    expect(keyOf(formatPosition(2 ** 32 - 1))).toEqual({ kind: 'position', position: 2 ** 32 - 1 });
    for (const bad of ['', '0', 'abcdefg', '0123456789', 'ABCDEF01', `${'0'.repeat(31)}g`, '0'.repeat(64)]) expect(parseSessionKey(bad)).toBeUndefined();
  });

  it('leads nowhere on an upstream without endpoints', () => {
    const { balancer } = balancerWithStats(1);
    expect(balancer.stick(upstream(), keyOf('00000000'))).toBeUndefined();
    expect(balancer.stick(upstream(), keyOf(endpointHash(endpoint(1))))).toBeUndefined();
  });
});
