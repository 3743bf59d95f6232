// mulberry32: a small seeded generator for tests and benchmarks, so a failing run can be replayed
// and two runs of a benchmark see the same world. Not for anything that needs real randomness.
export type Random = () => number;

/** Numbers in [0, 1); the same seed gives the same sequence. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
