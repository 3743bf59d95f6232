// Seeded generator of HTTP/1 request streams for the differential test: one to three pipelined
// requests built from valid and malformed parts (methods, targets, versions, line endings, odd
// whitespace, obs-fold, NUL and other controls, every Content-Length/Transfer-Encoding mix,
// chunk sizes with extensions and junk, trailers), then sometimes mutated byte-wise, then cut
// into random pieces. The same seed gives the same stream.

import { seededRandom as seeded, type Random } from '../seeded-random.ts';

export type { Random } from '../seeded-random.ts';
export { seededRandom as seeded } from '../seeded-random.ts';

const int = (rnd: Random, below: number): number => Math.floor(rnd() * below);
const chance = (rnd: Random, p: number): boolean => rnd() < p;
function pick<T>(rnd: Random, items: readonly T[]): T {
  const item = items[int(rnd, items.length)];
  if (item === undefined) throw new Error('empty choice');
  return item;
}

/** Choices: well-formed ones, and malformed or doubtful ones (picked with the stream's fault rate). */
interface Choices { readonly good: readonly string[]; readonly bad: readonly string[] }

const METHODS: Choices = { good: ['GET', 'GET', 'POST', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'M-SEARCH', 'PURGE', 'QUERY', 'PROPFIND', 'TRACE'], bad: ['get', 'Post', 'GE T', 'G\x00T', 'CONNECT', 'BAN', 'G(T'] };
const TARGETS: Choices = { good: ['/', '/a/b?c=d', '/%2e%2e/x', '/a//b', '/caf\xe9', '/?q=1&r=%20', '/a~b!$&()*+,;=:@'], bad: ['*', 'http://h.test/x', '/a\x7f', '/a\x00b', '/a b', '/a\tb', '', '/a#f'] };
const VERSIONS: Choices = { good: ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'], bad: ['HTTP/1.2', 'HTTP/2.0', 'http/1.1', 'HTTP/1.1 ', 'HTTP/01.1', 'HTTP/1.10', 'HTTP/1', 'HTTP/0.9'] };
const EOLS: Choices = { good: ['\r\n'], bad: ['\n', '\r', '\r\r\n', '\n\r'] };
const HOSTS: Choices = { good: ['Host: shop.test', 'host:shop.test', 'HOST:  shop.test:8080 '], bad: ['Host: ', 'Host: a b', 'Host : shop.test'] };
const FIELDS: Choices = {
  good: ['X-A: 1', 'X-A:1', 'X-A:  spaced  value  ', 'X-A:\tt\t', 'X-A: caf\xe9', 'X-A:', 'Cookie: a=1', 'Cookie: b=2', 'Connection: close',
    'Connection: keep-alive', 'Connection: Keep-Alive, TE', 'Expect: 100-continue', 'Accept: */*', 'Content-Type: text/plain', `X-Long: ${'v'.repeat(300)}`,
    'X-Quote: "a, b"', 'X-Empty-Then:  '],
  bad: ['X-A : 1', 'X-A\t: 1', ' X-Fold: 1', '\tX-Fold: 1', 'X-A: a\x00b', 'X-A: a\x7fb', 'X-A: a\x01b', ':v', 'X A: 1', 'X-A: 1\rb', 'X\x00A: 1',
    'Connection: upgrade', 'Upgrade: websocket', 'Expect: something', 'Host: other.test', 'X-A: 1\nb'],
};
const CONTENT_LENGTHS: Choices = { good: ['0', '5', '05', ' 5 ', '\t5'], bad: ['5\t', '+5', '5, 5', '5 5', '-1', '0x5', '99999999999999999999', '', '5.0'] };
const CODINGS: Choices = { good: ['chunked', 'Chunked', 'CHUNKED', 'chunked\t'], bad: ['gzip, chunked', 'chunked, gzip', ' chunked', 'identity', 'chunked, chunked', 'x', 'chunked;q=1', '', 'chunked , '] };
const SIZE_SUFFIXES: Choices = { good: ['', '', '', ';ext=1', ';ext="q v"', ';a;b=c'], bad: [' ;ext', ';', ';e\x00x', '\t', ' ', ';a=', ';="x"'] };
const SIZES: Choices = { good: ['00005'], bad: ['0x5', ' 5', 'fffffffffffffffff', '-1', 'g', '', 'FFFFFFFFFFFF'] };
const TRAILERS: Choices = { good: ['X-T: 1', 'X-T:1', `X-T: ${'t'.repeat(200)}`], bad: ['X-T : 1', 'X-T: a\x00', ' fold', ':x'] };

interface Framing { readonly fields: string[]; readonly body: string }

/** One generated stream's state: its random source and how often a choice goes wrong. */
interface Gen { readonly rnd: Random; readonly faults: number }

function choose(g: Gen, c: Choices): string {
  return chance(g.rnd, g.faults) ? pick(g.rnd, c.bad) : pick(g.rnd, c.good);
}

function framing(g: Gen, eol: () => string): Framing {
  const rnd = g.rnd;
  const data = (n: number): string => Array.from({ length: n }, () => pick(rnd, ['a', 'b', '\r', '\n', 'G', ' ', '\x00', '0'])).join('');
  const kind = int(rnd, 10);
  if (kind <= 2) return { fields: [], body: '' };
  if (kind <= 4) {
    const n = int(rnd, 20);
    const off = chance(rnd, g.faults) ? pick(rnd, [-1, 1, 3]) : 0;
    return { fields: [`Content-Length: ${n}`], body: data(Math.max(0, n + off)) };
  }
  if (kind === 5) {
    const cl = choose(g, CONTENT_LENGTHS);
    const twice = chance(rnd, g.faults) ? [`Content-Length: ${pick(rnd, ['5', '6'])}`] : [];
    return { fields: [`Content-Length: ${cl}`, ...twice], body: data(5) };
  }
  const fields = [`Transfer-Encoding: ${choose(g, CODINGS)}`];
  if (chance(rnd, g.faults)) fields.push('Content-Length: 5');
  if (chance(rnd, g.faults)) fields.push(`Transfer-Encoding: ${choose(g, CODINGS)}`);
  return { fields, body: chunkedBody(g, eol, data) };
}

function chunkedBody(g: Gen, eol: () => string, data: (n: number) => string): string {
  const rnd = g.rnd;
  let body = '';
  for (let i = int(rnd, 3); i > 0; i--) {
    const n = chance(rnd, 0.5) ? 5 : 1 + int(rnd, 12);
    const hex = chance(rnd, 0.3) ? n.toString(16).toUpperCase() : n.toString(16);
    const size = n === 5 && chance(rnd, 0.3) ? choose(g, SIZES) : hex;
    const wrong = chance(rnd, g.faults) ? pick(rnd, [-1, 1]) : 0;
    body += `${size}${choose(g, SIZE_SUFFIXES)}${eol()}${data(Math.max(0, n + wrong))}${eol()}`;
  }
  body += `${choose(g, { good: ['0', '0', '00', '0;x=y'], bad: ['0 ', '0\t', ''] })}${eol()}`;
  for (let i = chance(rnd, 0.3) ? 1 + int(rnd, 2) : 0; i > 0; i--) body += `${choose(g, TRAILERS)}${eol()}`;
  return body + eol();
}

function request(g: Gen): string {
  const rnd = g.rnd;
  const eol = (): string => choose(g, EOLS);
  const method = choose(g, METHODS);
  const target = method === 'CONNECT' ? 'h.test:443' : choose(g, TARGETS);
  const lines = [`${method} ${target} ${choose(g, VERSIONS)}`];
  const hosts = chance(rnd, g.faults) ? pick(rnd, [0, 2]) : 1;
  for (let i = 0; i < hosts; i++) lines.push(choose(g, HOSTS));
  const { fields, body } = framing(g, eol);
  const extra = Array.from({ length: int(rnd, 4) }, () => choose(g, FIELDS));
  const all = [...fields, ...extra];
  for (let i = all.length - 1; i > 0; i--) {
    const j = int(rnd, i + 1);
    [all[i], all[j]] = [all[j] ?? '', all[i] ?? ''];
  }
  lines.push(...all);
  const leading = chance(rnd, 0.05) ? pick(rnd, ['\r\n', '\n', '\r\n\r\n', '\r']) : '';
  return leading + lines.map((l) => l + eol()).join('') + eol() + body;
}

const INTERESTING = [0x0d, 0x0a, 0x00, 0x20, 0x09, 0x3a, 0x3b, 0x22, 0x7f, 0x80, 0xff, 0x30, 0x41];

function mutate(rnd: Random, input: Buffer): Buffer {
  let bytes = [...input];
  for (let n = 1 + int(rnd, 3); n > 0 && bytes.length > 0; n--) {
    const at = int(rnd, bytes.length);
    const op = int(rnd, 3);
    if (op === 0) bytes[at] = pick(rnd, INTERESTING);
    else if (op === 1) bytes.splice(at, 0, pick(rnd, INTERESTING));
    else bytes = [...bytes.slice(0, at), ...bytes.slice(at + 1)];
  }
  return Buffer.from(bytes);
}

function cut(rnd: Random, input: Buffer): Buffer[] {
  if (chance(rnd, 0.4)) return [input];
  const pieces: Buffer[] = [];
  const most = chance(rnd, 0.2) ? 2 : 40;
  for (let at = 0; at < input.length;) {
    const n = 1 + int(rnd, most);
    pieces.push(input.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

/** The stream for one seed, already cut into the pieces both parsers get. */
export function generateStream(seed: number): Buffer[] {
  const rnd = seeded(seed);
  // A third of the streams are well-formed, the rest go wrong at a few choice points.
  const g: Gen = { rnd, faults: pick(rnd, [0, 0.04, 0.1]) };
  const text = Array.from({ length: 1 + int(rnd, 3) }, () => request(g)).join('');
  const bytes = Buffer.from(text, 'latin1');
  return cut(rnd, g.faults > 0 && chance(rnd, 0.25) ? mutate(rnd, bytes) : bytes);
}
