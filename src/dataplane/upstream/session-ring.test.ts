import { describe, expect, it } from '@jest/globals';
import { seededRandom as seeded } from '../../../test/support/seeded-random.ts';
import { POINTS_PER_ENDPOINT, RING_POSITIONS, SessionRing, ringPoints } from './session-ring.ts';

/** "10.0.0.1:8080"… in the sorted order an upstream keeps (10.0.0.10 before 10.0.0.2). */
const addresses = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:8080`).sort();

/** Sessions spread evenly over the ring: every part of it is sampled alike. */
const SESSIONS = 20_000;
const evenly = Array.from({ length: SESSIONS }, (_, i) => Math.floor(((i + 0.5) * RING_POSITIONS) / SESSIONS));

/** The address owning each position. */
function owners(keys: readonly string[], positions: readonly number[]): string[] {
  const ring = new SessionRing(keys);
  return positions.map((p) => keys[ring.ownerAt(p) ?? -1] ?? 'none');
}

/**
 * 160 points per endpoint put each endpoint's share of the ring within about ±8% (one standard
 * deviation) of 1/N: over these fixed addresses the worst is 15% off, so ±20% holds with room.
 */
const nearOneIn = (n: number, share: number): void => {
  expect(share).toBeGreaterThan(0.8 / n);
  expect(share).toBeLessThan(1.2 / n);
};

describe('SessionRing', () => {
  it('gives each of N endpoints about 1/N of the ring', () => {
    for (let n = 2; n <= 10; n++) {
      const keys = addresses(n);
      const owned = owners(keys, evenly);
      for (const key of keys) nearOneIn(n, owned.filter((o) => o === key).length / SESSIONS);
    }
  });

  it('moves about 1/N of the sessions when the N-th endpoint is added, all of them to it', () => {
    for (let n = 2; n <= 10; n++) {
      const before = owners(addresses(n).filter((k) => k !== `10.0.0.${n}:8080`), evenly);
      const after = owners(addresses(n), evenly);
      const moved = after.filter((o, i) => o !== before[i]);
      expect(new Set(moved)).toEqual(new Set([`10.0.0.${n}:8080`]));
      nearOneIn(n, moved.length / SESSIONS);
    }
  });

  it('moves only a removed endpoint\'s sessions, spread over the others', () => {
    const keys = addresses(6);
    const gone = '10.0.0.3:8080';
    const before = owners(keys, evenly);
    const after = owners(keys.filter((k) => k !== gone), evenly);
    const moved = before.flatMap((o, i) => (o === after[i] ? [] : [{ from: o, to: after[i] }]));
    expect(moved.every((m) => m.from === gone)).toBe(true);
    expect(moved).toHaveLength(before.filter((o) => o === gone).length);
    expect(new Set(moved.map((m) => m.to)).size).toBe(5);
  });

  it('walks past an endpoint that cannot serve to where its sessions would go if it were removed', () => {
    const keys = addresses(5);
    const ring = new SessionRing(keys);
    const skipped = keys.indexOf('10.0.0.2:8080');
    const walked = evenly.map((p) => keys[ring.ownerFrom(p, (o) => o !== skipped) ?? -1]);
    expect(walked).toEqual(owners(keys.filter((_, i) => i !== skipped), evenly));
    expect(evenly.map((p) => ring.ownerFrom(p, () => true))).toEqual(evenly.map((p) => ring.ownerAt(p)));
    expect(ring.ownerFrom(0, () => false)).toBeUndefined();
  });

  it('places a session at a position its endpoint owns', () => {
    const keys = addresses(7);
    const ring = new SessionRing(keys);
    const random = seeded(7);
    for (let owner = 0; owner < keys.length; owner++) {
      for (let i = 0; i < 200; i++) {
        const position = ring.positionIn(owner, random) ?? -1;
        expect(position).toBeGreaterThanOrEqual(0);
        expect(position).toBeLessThan(RING_POSITIONS);
        expect(ring.ownerAt(position)).toBe(owner);
      }
    }
    expect(ring.positionIn(keys.length, random)).toBeUndefined();
    expect(ring.positionIn(-1, random)).toBeUndefined();
  });

  it('spreads placed sessions over the whole of their endpoint\'s arcs: adding the N-th moves about 1/N of them', () => {
    // Sessions placed as the balancer does (round-robin over the endpoints, then a position within).
    for (let n = 3; n <= 8; n++) {
      const keys = addresses(n).filter((k) => k !== `10.0.0.${n}:8080`);
      const ring = new SessionRing(keys);
      const random = seeded(n);
      const placed = Array.from({ length: SESSIONS }, (_, i) => ring.positionIn(i % keys.length, random) ?? -1);
      const before = owners(keys, placed);
      const after = owners(addresses(n), placed);
      nearOneIn(n, after.filter((o, i) => o !== before[i]).length / SESSIONS);
    }
  });

  it('is a fixed function of the addresses, whatever their order, so every replica and release agrees', () => {
    // Pinned: a change here moves every balanced session when replicas are upgraded.
    expect(ringPoints('10.0.0.1:8080')).toHaveLength(POINTS_PER_ENDPOINT);
    expect([...ringPoints('10.0.0.1:8080').slice(0, 3)]).toEqual(PINNED_POINTS);
    const keys = addresses(3);
    const samples = Array.from({ length: 8 }, (_, i) => i * 2 ** 29 + 0x01234567);
    expect(owners(keys, samples)).toEqual(PINNED_OWNERS);
    expect(owners([...keys].reverse(), evenly)).toEqual(owners(keys, evenly));
  });

  it('has no owner and no position when the upstream has no endpoints', () => {
    const ring = new SessionRing([]);
    expect(ring.ownerAt(5)).toBeUndefined();
    expect(ring.ownerFrom(5, () => true)).toBeUndefined();
    expect(ring.positionIn(0, Math.random)).toBeUndefined();
  });

  it('gives a lone endpoint the whole ring', () => {
    const ring = new SessionRing(['10.0.0.1:8080']);
    expect(evenly.every((p) => ring.ownerAt(p) === 0)).toBe(true);
    expect(ring.positionIn(0, () => 0.999_999_999)).toBeLessThan(RING_POSITIONS);
  });
});

const PINNED_POINTS = [2_330_954_383, 2_172_605_786, 3_075_375_290];
const PINNED_OWNERS = ['10.0.0.3:8080', '10.0.0.3:8080', '10.0.0.2:8080', '10.0.0.2:8080', '10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.1:8080', '10.0.0.1:8080'];
