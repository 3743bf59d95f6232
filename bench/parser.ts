// HTTP/1 front end: CPU per request for adversarial inputs next to an ordinary head of the same
// size. The headline drip is the one a client really sends: the ordinary head over real loopback
// TCP, one byte per write from a client in another process, against the same head in one write
// (server process CPU from the first byte to the answer, medians of TCP_ROUNDS). There Node's
// per-read work dominates, and the connection's read coalescing (src/dataplane/http1/read-hold.ts)
// is what keeps it down; beside it, two servers that only count the bytes: one reading as they
// come (each read's cost without coalescing), one holding reads until the client has written the
// last byte (the floor: the kernel's work for 32,000 segments, as far as it is charged to us).
// And the reference: the Debian nginx fed by the same client, its worker's CPU whole and dripped.
// The other cases are fed to Http1Connection over an in-memory socket (no kernel, so the figures
// are the parser's and buffer's own work; no read coalescing there). Each about 32,000 bytes:
//   ordinary      a request line and ~500 ordinary fields, in one chunk (the yardstick)
//   long OWS      one field `X: x`, 32,000 spaces, `y` (a backtracking value regex costs O(n²))
//   tiny fields   ~6,400 fields `x:y` (per-field overhead)
//   drip          the ordinary head one byte per chunk (re-concatenation costs O(n²))
//   long trailers a chunked body of one byte with ~32,000 bytes of trailer fields
//   drip 2 KB     the first 2,000 bytes of a head, one byte per chunk: with the 32 KB drip, shows
//                 whether the cost per byte grows with the size (1 = linear; quadratic ≈ 16)
// Goal: every adversarial case within 3x the ordinary one's CPU. The in-memory drip also pays a
// fixed cost per chunk that no parser avoids: the 'data' event, and reaching 32,000 separate
// chunk objects (cache misses). That floor is measured too ('drip events': the same chunks to a
// listener that does nothing) and printed beside it. For scale, node:http (llhttp) is fed the
// ordinary head and the same drip the same way (bench/lib/llhttp-feed.ts), and its drip ratio
// printed.
// Chunks are fed by index: a for-of loop that the JIT leaves unoptimized allocates an iterator
// result per chunk, and the garbage was being charged to the parser.
// Writes bench/results/parser.json.
import { Http1Connection, type Http1Handlers, type Http1Limits } from '../src/dataplane/http1/connection.ts';
import { LlhttpFeed } from './lib/llhttp-feed.ts';
import { MemorySocket } from './lib/memory-socket.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxTcpFeeds } from './lib/nginx-drip.ts';
import { overTcp, type TcpFeed } from './lib/tcp-drip.ts';
import { median, round } from './lib/stats.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const SIZE = 32_000;
const ROUNDS = 7;
/** Each round of a case runs until it has used this much CPU (and at least MIN_ITERATIONS). */
const ROUND_CPU_US = 150_000;
const MIN_ITERATIONS = 3;
const GOAL_RATIO = 3;
const LLHTTP_ORDINARY = 'llhttp ordinary';
const LLHTTP_DRIP = 'llhttp drip';
const TCP_ROUNDS = 5;
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
  feed(socket, c.chunks);
  return () => status === 200;
}

function feed(socket: MemorySocket, chunks: readonly Buffer[]): void {
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (chunk !== undefined) socket.data(chunk);
  }
}

/** The floor under a drip: its chunks as 'data' events to a listener that does nothing. */
function eventsOnly(chunks: readonly Buffer[]): number {
  let seen = 0;
  const started = process.cpuUsage();
  for (let r = 0; r < 20; r++) {
    const socket = new MemorySocket();
    socket.on('data', (c: Buffer) => { seen += c.length; });
    feed(socket, chunks);
  }
  const d = process.cpuUsage(started);
  if (seen !== 20 * chunks.reduce((n, c) => n + c.length, 0)) throw new Error('events lost');
  return (d.user + d.system) / 20;
}

/** The same case through node:http (llhttp): one request per run, answered synchronously. */
function viaLlhttp(llhttp: LlhttpFeed, c: Case): () => () => boolean {
  return () => {
    const before = llhttp.answered;
    llhttp.feed(c.chunks);
    return () => llhttp.answered === before + 1;
  };
}

/** CPU microseconds per request over one round. */
async function round1(name: string, run: () => () => boolean): Promise<number> {
  let iterations = 0;
  const started = process.cpuUsage();
  let used = 0;
  while (iterations < MIN_ITERATIONS || used < ROUND_CPU_US) {
    const answered = run();
    // A body's 'end' is emitted on a later tick; let it run inside the measured time.
    if (!answered()) await new Promise(setImmediate);
    if (!answered()) throw new Error(`case ${name}: the request was not answered 200`);
    iterations++;
    const d = process.cpuUsage(started);
    used = d.user + d.system;
  }
  return used / iterations;
}

interface TcpFigures {
  readonly wholeUs: number;
  readonly dripUs: number;
  readonly dripReads: number;
  readonly readsOnlyUs: number;
  readonly readsOnlyReads: number;
  readonly heldUs: number;
  readonly heldReads: number;
}

/** The ordinary head over real TCP, whole and dripped: median server CPU of a few runs each. */
async function tcpFigures(ordinary: Case): Promise<TcpFigures> {
  const head = Buffer.concat(ordinary.chunks);
  const runs = { whole: [] as TcpFeed[], drip: [] as TcpFeed[], count: [] as TcpFeed[], held: [] as TcpFeed[] };
  for (let r = 0; r < TCP_ROUNDS; r++) {
    runs.whole.push(await overTcp(head, 'whole', LIMITS));
    runs.drip.push(await overTcp(head, 'drip', LIMITS));
    runs.count.push(await overTcp(head, 'drip', LIMITS, 'count'));
    runs.held.push(await overTcp(head, 'drip', LIMITS, 'held'));
  }
  say(`  real TCP: ${TCP_ROUNDS} rounds done`);
  const us = (feeds: TcpFeed[]): number => round(median(feeds.map((f) => f.cpuUs)), 1);
  const reads = (feeds: TcpFeed[]): number => median(feeds.map((f) => f.reads));
  return {
    wholeUs: us(runs.whole), dripUs: us(runs.drip), dripReads: reads(runs.drip),
    readsOnlyUs: us(runs.count), readsOnlyReads: reads(runs.count), heldUs: us(runs.held), heldReads: reads(runs.held),
  };
}

/** The same head to a Debian nginx over the same TCP (lib/nginx-drip.ts): medians of its worker's CPU. */
async function nginxFigures(ordinary: Case): Promise<{ wholeUs: number; dripUs: number; ratio: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bollard-bench-nginx-drip-'));
  try {
    const feeds = await nginxTcpFeeds(Buffer.concat(ordinary.chunks), TCP_ROUNDS, dir);
    say(`  nginx over TCP: ${TCP_ROUNDS} rounds done`);
    const [wholeUs, dripUs] = [median(feeds.wholeUs), median(feeds.dripUs)];
    return { wholeUs: round(wholeUs, 1), dripUs: round(dripUs, 1), ratio: round(dripUs / wholeUs) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Median CPU per request of each case, Bollard's rounds first, then node:http's; and the drip's event floor. */
async function measure(all: readonly Case[], ordinaryCase: Case, dripCase: Case): Promise<{ us: (name: string) => number; eventsUs: number }> {
  const llhttp = new LlhttpFeed(LIMITS.maxHeaderBytes);
  const runs = new Map<string, () => () => boolean>(all.map((c) => [c.name, () => runOnce(c)]));
  // node:http runs after Bollard's rounds: its objects and the shared code paths it makes
  // polymorphic (EventEmitter, Buffer) would otherwise slow Bollard's ordinary case by ~15%.
  const llhttpRuns = new Map<string, () => () => boolean>([[LLHTTP_ORDINARY, viaLlhttp(llhttp, ordinaryCase)], [LLHTTP_DRIP, viaLlhttp(llhttp, dripCase)]]);
  const samples = new Map<string, number[]>([...runs.keys(), ...llhttpRuns.keys()].map((name) => [name, []]));
  const floor: number[] = [];
  for (const group of [runs, llhttpRuns]) {
    for (const [name, run] of group) await round1(name, run); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, run] of group) samples.get(name)?.push(await round1(name, run));
      if (group === runs) floor.push(eventsOnly(dripCase.chunks));
    }
    say(`  ${group === runs ? 'Bollard' : 'node:http'}: ${ROUNDS} rounds done`);
  }
  return { us: (name) => median(samples.get(name) ?? []), eventsUs: median(floor) };
}

async function main(): Promise<void> {
  const all = cases();
  const ordinaryCase = all.find((c) => c.name === 'ordinary');
  const dripCase = all.find((c) => c.name === 'drip');
  if (ordinaryCase === undefined || dripCase === undefined) throw new Error('cases missing');
  say(`parser: ${all.length} cases of ~${SIZE} bytes through Http1Connection on an in-memory socket, then node:http (llhttp) fed the same way, ${ROUNDS} rounds, median CPU per request`);
  const { us, eventsUs } = await measure(all, ordinaryCase, dripCase);
  const tcp = await tcpFigures(ordinaryCase);
  const nginx = await nginxFigures(ordinaryCase);
  const base = us('ordinary');
  const figures = all.map((c) => ({
    case: c.name, bytes: c.chunks.reduce((n, b) => n + b.length, 0), chunks: c.chunks.length, cpuUsPerRequest: round(us(c.name), 1), ratio: round(us(c.name) / base),
  }));
  for (const f of figures) say(`  ${f.case.padEnd(14)} ${String(f.bytes).padStart(6)} B in ${String(f.chunks).padStart(5)} chunk(s): ${String(f.cpuUsPerRequest).padStart(9)} µs CPU/request, ${f.ratio}x ordinary`);
  const drip = figures.find((f) => f.case === 'drip');
  const drip2k = figures.find((f) => f.case === 'drip 2 KB');
  if (drip === undefined || drip2k === undefined) throw new Error('drip cases missing');
  const dripBeyondEvents = round((drip.cpuUsPerRequest - eventsUs) / base);
  const perByteGrowth = round((drip.cpuUsPerRequest / drip.bytes) / (drip2k.cpuUsPerRequest / drip2k.bytes));
  const perChunkNs = round(((drip.cpuUsPerRequest - eventsUs - base) * 1000) / drip.chunks, 1);
  say(`  drip events   ${String(SIZE).padStart(6)} 'data' events of the drip's chunks to a listener doing nothing: ${round(eventsUs, 1)} µs CPU (${round(eventsUs / base)}x ordinary); the drip beyond them: ${dripBeyondEvents}x ordinary, ${perChunkNs} ns per chunk beyond the ordinary head's parse`);
  say(`  drip cost per byte, 32 KB head / 2 KB head: ${perByteGrowth}x (1 = linear)`);
  const ll = { ordinaryUs: round(us(LLHTTP_ORDINARY), 1), dripUs: round(us(LLHTTP_DRIP), 1), ratio: round(us(LLHTTP_DRIP) / us(LLHTTP_ORDINARY)), dripVsBollard: round(us(LLHTTP_DRIP) / drip.cpuUsPerRequest) };
  say(`  node:http (llhttp), same feed: ordinary ${ll.ordinaryUs} µs, drip ${ll.dripUs} µs CPU/request: drip ${ll.ratio}x its ordinary; its drip costs ${ll.dripVsBollard}x Bollard's`);
  const tcpRatio = round(tcp.dripUs / tcp.wholeUs);
  say(`  real TCP (loopback, client in another process, one byte per write): whole head ${tcp.wholeUs} µs, drip ${tcp.dripUs} µs CPU in ${tcp.dripReads} reads (${tcpRatio}x); read as it comes and only counted: ${tcp.readsOnlyUs} µs in ${tcp.readsOnlyReads} reads (${round(tcp.readsOnlyUs / tcp.wholeUs)}x, ${round(tcp.readsOnlyUs / tcp.readsOnlyReads, 2)} µs per read); held until the last byte, then counted: ${tcp.heldUs} µs in ${tcp.heldReads} reads (${round(tcp.heldUs / tcp.wholeUs)}x, the kernel's floor)`);
  say(`  nginx over the same TCP, same client (worker CPU from schedstat, accept included): whole head ${nginx.wholeUs} µs, drip ${nginx.dripUs} µs (${nginx.ratio}x); Bollard's drip costs ${round(tcp.dripUs / nginx.dripUs)}x nginx's`);
  const single = figures.filter((f) => f.chunks === 1 && f.case !== 'ordinary');
  const worst = single.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const file = await writeResults('parser', {
    goal: { maxRatio: GOAL_RATIO }, size: SIZE, rounds: ROUNDS, cases: figures,
    drip: { eventsOnlyUs: round(eventsUs, 1), ratio: drip.ratio, ratioBeyondEvents: dripBeyondEvents, nsPerChunkBeyondEvents: perChunkNs, perByteGrowth32kVs2k: perByteGrowth },
    llhttp: ll,
    tcp: { ...tcp, ratio: tcpRatio, readsOnlyRatio: round(tcp.readsOnlyUs / tcp.wholeUs), heldRatio: round(tcp.heldUs / tcp.wholeUs) },
    nginxTcp: nginx,
    worstSingleChunk: { case: worst.case, ratio: worst.ratio },
  });
  say(`parser adversarial/ordinary CPU ratio: worst head ${worst.ratio}x (${worst.case}); drip over TCP ${tcpRatio}x (kernel floor ${round(tcp.heldUs / tcp.wholeUs)}x; nginx's ${nginx.ratio}x); drip in memory ${drip.ratio}x, ${dripBeyondEvents}x beyond its 'data' events, per-byte growth ${perByteGrowth}x (goal ≤ ${GOAL_RATIO}x); llhttp's drip ${ll.ratio}x`);
  say(`wrote ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/parser: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
