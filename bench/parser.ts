// HTTP/1 front end: CPU per request for adversarial inputs next to an ordinary head of the same
// size, fed to Http1Connection over an in-memory socket (no kernel, so the figures are the
// parser's and buffer's own work). Cases, each about 32,000 bytes (inside the 32 KiB head limit):
//   ordinary      a request line and ~500 ordinary fields, in one chunk (the yardstick)
//   long OWS      one field `X: x`, 32,000 spaces, `y` (a backtracking value regex costs O(n²))
//   tiny fields   ~6,400 fields `x:y` (per-field overhead)
//   drip          the ordinary head one byte per chunk (re-concatenation costs O(n²))
//   long trailers a chunked body of one byte with ~32,000 bytes of trailer fields
//   drip 2 KB     the first 2,000 bytes of a head, one byte per chunk: with the 32 KB drip, shows
//                 whether the cost per byte grows with the size (1 = linear; quadratic ≈ 16)
// Goal: every adversarial case within 3x the ordinary one's CPU. A drip also pays a fixed cost per
// chunk (the 'data' event and its bookkeeping) that no parser avoids; the event alone is measured
// too ('drip events': 32,000 events to a listener that does nothing) and printed beside it.
// Writes bench/results/parser.json.
import { Http1Connection, type Http1Handlers, type Http1Limits } from '../src/dataplane/http1/connection.ts';
import { MemorySocket } from './lib/memory-socket.ts';
import { median, round } from './lib/stats.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const SIZE = 32_000;
const ROUNDS = 7;
/** Each round of a case runs until it has used this much CPU (and at least MIN_ITERATIONS). */
const ROUND_CPU_US = 150_000;
const MIN_ITERATIONS = 3;
const GOAL_RATIO = 3;
const LIMITS: Http1Limits = { maxHeaderBytes: 32 * 1024, headersTimeoutMs: 20_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 75_000 };

interface Case {
  readonly name: string;
  readonly chunks: readonly Buffer[];
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const pad = (text: string, filler: (room: number) => string, tail: string): string => text + filler(SIZE - text.length - tail.length) + tail;

function ordinaryHead(): string {
  let head = 'GET /catalogue/item?id=12345&view=full HTTP/1.1\r\nHost: shop.example.com\r\n';
  for (let i = 0; head.length < SIZE - 64; i++) head += `X-Request-Field-${i}: ${'v'.repeat(20 + (i % 20))}\r\n`;
  return pad(head, (room) => `X-Last: ${'z'.repeat(Math.max(0, room - 10))}\r\n`, '\r\n');
}

const dripped = (text: string): Buffer[] => [...bytes(text)].map((b) => Buffer.from([b]));

function cases(): Case[] {
  const ordinary = ordinaryHead();
  const small = `${ordinary.slice(0, 1996)}\r\n\r\n`;
  const start = 'GET / HTTP/1.1\r\nHost: shop.example.com\r\n';
  const longOws = pad(`${start}X: x`, (room) => ' '.repeat(room), 'y\r\n\r\n');
  const tiny = pad(start, (room) => 'x:y\r\n'.repeat(Math.floor(room / 5)), '\r\n');
  const post = 'POST / HTTP/1.1\r\nHost: shop.example.com\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n';
  let trailers = post;
  for (let i = 0; trailers.length < SIZE - 64; i++) trailers += `X-Trailer-Field-${i}: ${'t'.repeat(20 + (i % 20))}\r\n`;
  return [
    { name: 'ordinary', chunks: [bytes(ordinary)] },
    { name: 'long OWS', chunks: [bytes(longOws)] },
    { name: 'tiny fields', chunks: [bytes(tiny)] },
    { name: 'drip', chunks: dripped(ordinary) },
    { name: 'long trailers', chunks: [bytes(`${trailers}\r\n`)] },
    { name: 'drip 2 KB', chunks: dripped(small) },
  ];
}

/** Feeds one request through a fresh connection; the result says whether it was answered 200. */
function runOnce(c: Case): () => boolean {
  const socket = new MemorySocket();
  let status = 0;
  const handlers: Http1Handlers = {
    request: (_req, res, body) => {
      const answer = (): void => { res.writeHead(200, { 'content-length': '0' }); res.end(''); status = res.statusCode; };
      if (body === null) answer();
      else body.on('data', () => undefined).on('end', answer);
    },
    upgrade: () => undefined,
    clientError: () => undefined,
  };
  new Http1Connection(socket.asSocket, LIMITS, handlers, performance.now()); // it listens on the socket
  for (const chunk of c.chunks) socket.data(chunk);
  return () => status === 200;
}

/** The floor under a drip: the same number of 'data' events to a listener that does nothing. */
function eventsOnly(count: number): number {
  const socket = new MemorySocket();
  let seen = 0;
  socket.on('data', (c: Buffer) => { seen += c.length; });
  const chunk = Buffer.from('x');
  const started = process.cpuUsage();
  for (let r = 0; r < 20; r++) for (let i = 0; i < count; i++) socket.data(chunk);
  const d = process.cpuUsage(started);
  if (seen !== 20 * count) throw new Error('events lost');
  return (d.user + d.system) / 20;
}

/** CPU microseconds per request over one round. */
async function round1(c: Case): Promise<number> {
  let iterations = 0;
  const started = process.cpuUsage();
  let used = 0;
  while (iterations < MIN_ITERATIONS || used < ROUND_CPU_US) {
    const answered = runOnce(c);
    // A body's 'end' is emitted on a later tick; let it run inside the measured time.
    if (!answered()) await new Promise(setImmediate);
    if (!answered()) throw new Error(`case ${c.name}: the request was not answered 200`);
    iterations++;
    const d = process.cpuUsage(started);
    used = d.user + d.system;
  }
  return used / iterations;
}

async function main(): Promise<void> {
  const all = cases();
  say(`parser: ${all.length} cases of ~${SIZE} bytes through Http1Connection on an in-memory socket, ${ROUNDS} rounds, median CPU per request`);
  for (const c of all) await round1(c); // warm-up
  const samples = new Map<string, number[]>(all.map((c) => [c.name, []]));
  const floor: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of all) samples.get(c.name)?.push(await round1(c));
    floor.push(eventsOnly(SIZE));
    say(`  round ${r + 1}/${ROUNDS} done`);
  }
  const base = median(samples.get('ordinary') ?? []);
  const figures = all.map((c) => {
    const us = median(samples.get(c.name) ?? []);
    return { case: c.name, bytes: c.chunks.reduce((n, b) => n + b.length, 0), chunks: c.chunks.length, cpuUsPerRequest: round(us, 1), ratio: round(us / base) };
  });
  for (const f of figures) say(`  ${f.case.padEnd(14)} ${String(f.bytes).padStart(6)} B in ${String(f.chunks).padStart(5)} chunk(s): ${String(f.cpuUsPerRequest).padStart(9)} µs CPU/request, ${f.ratio}x ordinary`);
  const eventsUs = median(floor);
  const drip = figures.find((f) => f.case === 'drip');
  const drip2k = figures.find((f) => f.case === 'drip 2 KB');
  if (drip === undefined || drip2k === undefined) throw new Error('drip cases missing');
  const dripBeyondEvents = round((drip.cpuUsPerRequest - eventsUs) / base);
  const perByteGrowth = round((drip.cpuUsPerRequest / drip.bytes) / (drip2k.cpuUsPerRequest / drip2k.bytes));
  say(`  drip events   ${String(SIZE).padStart(6)} 'data' events to a listener doing nothing: ${round(eventsUs, 1)} µs CPU; the drip beyond them: ${dripBeyondEvents}x ordinary`);
  say(`  drip cost per byte, 32 KB head / 2 KB head: ${perByteGrowth}x (1 = linear)`);
  const single = figures.filter((f) => f.chunks === 1 && f.case !== 'ordinary');
  const worst = single.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const file = await writeResults('parser', {
    goal: { maxRatio: GOAL_RATIO }, size: SIZE, rounds: ROUNDS, cases: figures,
    drip: { eventsOnlyUs: round(eventsUs, 1), ratio: drip.ratio, ratioBeyondEvents: dripBeyondEvents, perByteGrowth32kVs2k: perByteGrowth },
    worstSingleChunk: { case: worst.case, ratio: worst.ratio },
  });
  say(`parser adversarial/ordinary CPU ratio: worst head ${worst.ratio}x (${worst.case}); drip ${drip.ratio}x, ${dripBeyondEvents}x beyond its 'data' events, per-byte growth ${perByteGrowth}x (goal ≤ ${GOAL_RATIO}x)`);
  say(`wrote ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/parser: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
