// Session ring (nginx affinity-mode: balanced): what a data-plane process pays for it, and how well it
// spreads sessions. Per upstream size (10, 100, 1,000 and 5,000 endpoints): the first build (cold,
// as after an endpoint change) and the median of warm builds in ms, then ns per lookup (ownerAt, on
// every request with a cookie) and per new position (positionIn, on every cookie set). Then, for
// N = 2…10 and 200,000 evenly spaced sessions, the share that moves when the N-th endpoint is
// added, as a multiple of 1/N (1.00 is ideal), and the largest deviation of an endpoint's share.
// Writes bench/results/session-ring.json.
import { SessionRing, RING_POSITIONS } from '../src/dataplane/upstream/session-ring.ts';
import { seededRandom } from '../test/support/seeded-random.ts';
import { median, round } from './lib/stats.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const SIZES = [10, 100, 1000, 5000];
const WARM_BUILDS = 9;
const LOOKUPS = 1_000_000;
const SESSIONS = 200_000;

const addresses = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8080`);

function timeBuild(keys: readonly string[]): number {
  const started = performance.now();
  new SessionRing(keys);
  return performance.now() - started;
}

/** ns per call of `fn` over `count` calls. */
function nsPer(count: number, fn: (i: number) => number): number {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) sink += fn(i);
  const ns = Number(process.hrtime.bigint() - started) / count;
  if (sink === -1) say('');
  return ns;
}

function costs(n: number): Record<string, number> {
  const keys = addresses(n);
  const coldMs = timeBuild(keys);
  const warmMs = median(Array.from({ length: WARM_BUILDS }, () => timeBuild(keys)));
  const ring = new SessionRing(keys);
  const random = seededRandom(n);
  const positions = Array.from({ length: 4096 }, () => Math.floor(random() * RING_POSITIONS));
  const lookupNs = nsPer(LOOKUPS, (i) => ring.ownerAt(positions[i & 4095] ?? 0) ?? 0);
  const placeNs = nsPer(LOOKUPS / 10, (i) => ring.positionIn(i % n, random) ?? 0);
  return { endpoints: n, coldBuildMs: round(coldMs), warmBuildMs: round(warmMs), lookupNs: round(lookupNs, 0), newPositionNs: round(placeNs, 0) };
}

function spread(n: number): Record<string, number> {
  const evenly = Array.from({ length: SESSIONS }, (_, i) => Math.floor(((i + 0.5) * RING_POSITIONS) / SESSIONS));
  const before = new SessionRing(addresses(n - 1));
  const after = new SessionRing(addresses(n));
  const counts = new Array<number>(n).fill(0);
  let moved = 0;
  for (const p of evenly) {
    const owner = after.ownerAt(p) ?? 0;
    counts[owner] = (counts[owner] ?? 0) + 1;
    if (owner !== before.ownerAt(p)) moved += 1;
  }
  const worst = Math.max(...counts.map((c) => Math.abs((c * n) / SESSIONS - 1)));
  return { endpoints: n, movedTimesN: round((moved * n) / SESSIONS, 3), worstShareDeviation: round(worst, 3) };
}

async function main(): Promise<void> {
  const cost = SIZES.map(costs);
  for (const c of cost) {
    say(`session-ring ${String(c.endpoints).padStart(5)} endpoints: build ${String(c.coldBuildMs)} ms cold, ${String(c.warmBuildMs)} ms warm; lookup ${String(c.lookupNs)} ns; new position ${String(c.newPositionNs)} ns`);
  }
  const quality = Array.from({ length: 9 }, (_, i) => spread(i + 2));
  for (const q of quality) say(`session-ring adding endpoint ${String(q.endpoints).padStart(2)}: moved ${String(q.movedTimesN)} × 1/N; largest share off 1/N by ${String(Math.round((q.worstShareDeviation ?? 0) * 100))}%`);
  const file = await writeResults('session-ring', { cost, quality });
  say(`session-ring results: ${file}`);
}

await main();
