// The hash ring of balanced sticky sessions (nginx affinity-mode: balanced). Each endpoint owns
// POINTS_PER_ENDPOINT points on a 32-bit ring, placed by a hash of its address alone, so every
// replica builds the same ring from the same endpoint set. A balanced session's cookie holds a
// position on the ring, and its endpoint is the owner of the first point at or after it (wrapping).
// The N-th endpoint added takes over about 1/N of the ring from the others, so about 1/N of the
// sessions move to it and none move between the old endpoints; a removed endpoint's sessions go to
// the owners of the points after its own.
import { createHash } from 'node:crypto';

export const RING_POSITIONS = 2 ** 32;
/** As many as ingress-nginx's resty.chash places per endpoint: each endpoint's share is within about ±15% of 1/N. */
export const POINTS_PER_ENDPOINT = 160;
const GOLDEN = 0x9e3779b9;

/** murmur3's 32-bit finaliser: spreads a sequence of inputs over the whole ring. */
/** murmur3's 32-bit finaliser: spreads nearby inputs over the whole ring. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Writes the ring points of the endpoint named `key` ("host:port") into `into` at `at`: a fixed function of the key. */
function writeRingPoints(key: string, into: Uint32Array, at: number): void {
  const digest = createHash('sha256').update(`bollard-session-ring ${key}`).digest();
  const base = digest.readUInt32BE(0);
  const salt = digest.readUInt32BE(4);
  for (let i = 0; i < POINTS_PER_ENDPOINT; i++) into[at + i] = (mix32(base + Math.imul(i, GOLDEN)) ^ salt) >>> 0;
}

/** The ring points of the endpoint named `key`. */
export function ringPoints(key: string): Uint32Array {
  const points = new Uint32Array(POINTS_PER_ENDPOINT);
  writeRingPoints(key, points, 0);
  return points;
}

/**
 * One stable counting pass over the 16-bit digit at `shift`, from (fromP, fromO) into (toP, toO).
 * counts[d + 1] first counts digit d; summed up, counts[d] is where digit d's run starts.
 */
function radixPass(fromP: Uint32Array, fromO: Uint32Array, toP: Uint32Array, toO: Uint32Array, shift: number, counts: Uint32Array): void {
  counts.fill(0);
  for (let i = 0; i < fromP.length; i++) {
    const d = (((fromP[i] ?? 0) >>> shift) & 0xffff) + 1;
    counts[d] = (counts[d] ?? 0) + 1;
  }
  for (let d = 1; d < counts.length; d++) counts[d] = (counts[d] ?? 0) + (counts[d - 1] ?? 0);
  for (let i = 0; i < fromP.length; i++) {
    const p = fromP[i] ?? 0;
    const d = (p >>> shift) & 0xffff;
    const at = counts[d] ?? 0;
    counts[d] = at + 1;
    toP[at] = p;
    toO[at] = fromO[i] ?? 0;
  }
}

/** Sorts `points` with `owners` alongside, by two stable passes over 16-bit digits: linear, unlike a comparison sort. */
function sortByPoint(points: Uint32Array, owners: Uint32Array): void {
  const spareP = new Uint32Array(points.length);
  const spareO = new Uint32Array(points.length);
  const counts = new Uint32Array(65_537);
  radixPass(points, owners, spareP, spareO, 0, counts);
  radixPass(spareP, spareO, points, owners, 16, counts);
}

export class SessionRing {
  /** Sorted; `owners[i]` (an index into the endpoint keys) owns the arc that ends at `points[i]`. */
  private readonly points: Uint32Array;
  private readonly owners: Uint32Array;
  /** Owner o's arcs are at o × POINTS_PER_ENDPOINT onwards: where each starts, and the running total of their lengths. */
  private readonly arcStarts: Uint32Array;
  private readonly arcTotals: Float64Array;

  /** `keys`: the endpoints' "host:port", in the upstream's order (ring owners are indices into it). */
  constructor(keys: readonly string[]) {
    const n = keys.length * POINTS_PER_ENDPOINT;
    this.points = new Uint32Array(n);
    this.owners = new Uint32Array(n);
    for (const [o, key] of keys.entries()) {
      writeRingPoints(key, this.points, o * POINTS_PER_ENDPOINT);
      this.owners.fill(o, o * POINTS_PER_ENDPOINT, (o + 1) * POINTS_PER_ENDPOINT);
    }
    // Stable, and the input is in owner order: a point two owners share goes to the lower index, alike everywhere.
    sortByPoint(this.points, this.owners);
    this.arcStarts = new Uint32Array(n);
    this.arcTotals = new Float64Array(n);
    this.measureArcs(keys.length);
  }

  /** The endpoint (index) whose session a cookie at `position` is; undefined for an empty ring. */
  ownerAt(position: number): number | undefined {
    return this.owners.length === 0 ? undefined : this.owners[this.firstAtOrAfter(position)];
  }

  /**
   * The first owner at or after `position` that `accept`s, walking the ring: where the session goes
   * while its own endpoint cannot serve it (ejected, or already tried by this request).
   */
  ownerFrom(position: number, accept: (owner: number) => boolean): number | undefined {
    const n = this.owners.length;
    const start = this.firstAtOrAfter(position);
    for (let step = 0; step < n; step++) {
      const owner = this.owners[(start + step) % n];
      if (owner !== undefined && accept(owner)) return owner;
    }
    return undefined;
  }

  /** A position `owner` owns, uniform over the length of its arcs (`random` in [0, 1)); undefined if it owns none. */
  positionIn(owner: number, random: () => number): number | undefined {
    const first = owner * POINTS_PER_ENDPOINT;
    const last = first + POINTS_PER_ENDPOINT - 1;
    const total = this.arcTotals[last];
    if (owner < 0 || total === undefined || total === 0) return undefined;
    const at = random() * total;
    let lo = first;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.arcTotals[mid] ?? 0) > at) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === first ? 0 : this.arcTotals[lo - 1] ?? 0;
    return ((this.arcStarts[lo] ?? 0) + Math.floor(at - before)) % RING_POSITIONS;
  }

  /** The index of the first point at or after `position`, 0 past the last (the ring wraps). */
  private firstAtOrAfter(position: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] ?? 0) < position) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  /** The arc ending at point i runs from just after point i−1 (the last point, for i = 0) to point i. */
  private measureArcs(count: number): void {
    const filled = new Uint32Array(count);
    const n = this.points.length;
    for (let i = 0; i < n; i++) {
      const owner = this.owners[i] ?? 0;
      const previous = this.points[(i + n - 1) % n] ?? 0;
      // A point tied with the one before has an empty arc: positions there go to the earlier owner.
      const length = ((this.points[i] ?? 0) - previous + RING_POSITIONS) % RING_POSITIONS;
      const at = owner * POINTS_PER_ENDPOINT + (filled[owner] ?? 0);
      filled[owner] = (filled[owner] ?? 0) + 1;
      this.arcStarts[at] = (previous + 1) % RING_POSITIONS;
      this.arcTotals[at] = (at === owner * POINTS_PER_ENDPOINT ? 0 : this.arcTotals[at - 1] ?? 0) + length;
    }
  }
}
