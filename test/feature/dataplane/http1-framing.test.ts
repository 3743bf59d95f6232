// HTTP/1.x framing through the real data plane, over raw sockets so that every byte is seen:
// pipelining, chunked request bodies, HTTP/1.0 and keep-alive, bodiless answers, chunked and
// large upstream answers, the idle keep-alive deadline, and unread bodies of local answers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

const BIG = 1536 * 1024 + 7;

/** Upstream behaviours under /x/…; anything else goes to the echo upstream. */
function special(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  if (url.startsWith('/x/slow')) {
    setTimeout(() => { res.writeHead(200, { 'content-length': String(url.length) }).end(url); }, 100);
  } else if (url === '/x/fixed') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' }).end(req.method === 'HEAD' ? undefined : 'fixed');
  } else if (url === '/x/204') {
    res.writeHead(204, { 'x-kind': 'empty' }).end();
  } else if (url === '/x/304') {
    res.writeHead(304, { etag: '"v1"' }).end();
  } else if (url === '/x/chunked') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('hello ');
    res.write('world');
    res.end();
  } else if (url === '/x/big') {
    res.writeHead(200, { 'content-length': String(BIG) }).end(Buffer.alloc(BIG, 'b'));
  } else if (url === '/x/big-chunked') {
    res.writeHead(200);
    for (let i = 0; i < 24; i++) res.write(Buffer.alloc(64 * 1024, i));
    res.end();
  } else {
    pieces(req, res);
  }
}

/** /x/pieces: reports each body piece as it arrives, then echoes the whole body. */
let received = '';
let onPiece: (() => void) | undefined;
function pieces(req: IncomingMessage, res: ServerResponse): void {
  received = '';
  req.setEncoding('latin1');
  req.on('data', (c: string) => { received += c; onPiece?.(); });
  req.on('end', () => { res.writeHead(200, { 'content-length': String(received.length) }).end(received); });
}

/** Resolves once the upstream has received exactly `body` so far. */
function upstreamHas(body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (received.length < body.length) return;
      onPiece = undefined;
      if (received === body) resolve();
      else reject(new Error(`upstream received ${JSON.stringify(received)}, expected ${JSON.stringify(body)}`));
    };
    onPiece = check;
    check();
  });
}

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly text: string;
}

/** A raw client connection that reads complete responses off the stream, one at a time. */
class Raw {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1').setNoDelay(true);
    this.socket.on('data', (c: Buffer) => { this.buffer = Buffer.concat([this.buffer, c]); this.notify(); });
    this.socket.on('error', () => { /* 'close' follows */ });
    this.closed = new Promise((resolve) => {
      this.socket.once('close', () => { this.ended = true; this.notify(); resolve(); });
    });
    open.add(this);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** Bytes received and not yet read as a response. */
  get pending(): number {
    return this.buffer.length;
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** The next whole response; `head`: it answers a HEAD request (no body whatever the fields say). */
  async response(opts: { head?: boolean } = {}): Promise<Answer> {
    for (;;) {
      const cut = cutResponse(this.buffer, opts.head === true, this.ended);
      if (cut !== undefined) {
        this.buffer = this.buffer.subarray(cut.length);
        return cut.answer;
      }
      if (this.ended) throw new Error(`connection closed amid a response: ${JSON.stringify(this.buffer.toString('latin1').slice(0, 200))}`);
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

const open = new Set<Raw>();

/** A response cut from the front of `input`, or undefined while it is incomplete. */
function cutResponse(input: Buffer, head: boolean, ended: boolean): { answer: Answer; length: number } | undefined {
  const end = input.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = input.toString('latin1', 0, end).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name] ?? ''}, ${value}` : value;
  }
  const rest = input.subarray(end + 4);
  const framed = frame(rest, headers, head || status === 204 || status === 304 || status < 200, ended);
  if (framed === undefined) return undefined;
  return { answer: { status, headers, body: framed.body, text: framed.body.toString('latin1') }, length: end + 4 + framed.used };
}

function frame(rest: Buffer, headers: Record<string, string>, bodiless: boolean, ended: boolean): { body: Buffer; used: number } | undefined {
  if (bodiless) return { body: Buffer.alloc(0), used: 0 };
  if (headers['transfer-encoding'] === 'chunked') return dechunk(rest);
  const length = headers['content-length'];
  if (length !== undefined) return rest.length < Number(length) ? undefined : { body: rest.subarray(0, Number(length)), used: Number(length) };
  return ended ? { body: rest, used: rest.length } : undefined; // close-delimited
}

/** The chunked coding as a server writes it (no extensions, no trailers expected). */
function dechunk(input: Buffer): { body: Buffer; used: number } | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = input.indexOf('\r\n', at);
    if (eol === -1) return undefined;
    const size = Number.parseInt(input.toString('latin1', at, eol), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size line at ${at}`);
    if (size === 0) {
      const last = input.indexOf('\r\n\r\n', eol);
      return last === -1 ? undefined : { body: Buffer.concat(parts), used: last + 4 };
    }
    if (input.length < eol + 2 + size + 2) return undefined;
    parts.push(input.subarray(eol + 2, eol + 2 + size));
    if (input.toString('latin1', eol + 2 + size, eol + 4 + size) !== '\r\n') throw new Error('chunk data not followed by CRLF');
    at = eol + 4 + size;
  }
}

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let x: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web');
  x = await startUpstream('x', special);
  plane = await startPlane();
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint])), route('/x', upstream('x', [x.endpoint]))) }));
});

afterEach(() => {
  for (const raw of open) raw.destroy();
  open.clear();
});

afterAll(async () => {
  await plane.close();
  await Promise.all([web.close(), x.close()]);
});

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: shop.test\r\n${extra}\r\n`;
const echoed = (a: Answer): { url: string; method: string; body: string; headers: Record<string, string> } =>
  JSON.parse(a.text) as { url: string; method: string; body: string; headers: Record<string, string> };

describe('pipelining', () => {
  it('answers two GETs sent in one write in order', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(get('/x/slow?first') + get('/second'));
    const first = await raw.response();
    const second = await raw.response();
    expect([first.status, first.text]).toEqual([200, '/x/slow?first']);
    expect([second.status, echoed(second).url]).toEqual([200, '/second']);
    expect(raw.isClosed).toBe(false);
  });

  it('answers three GETs sent in one write in order, the slow one in the middle', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(get('/one') + get('/x/slow?two') + get('/three'));
    const answers = [await raw.response(), await raw.response(), await raw.response()];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect([echoed(answers[0] as Answer).url, (answers[1] as Answer).text, echoed(answers[2] as Answer).url]).toEqual(['/one', '/x/slow?two', '/three']);
  });

  it('answers a GET, a POST with a body and a GET sent in one write in order', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(`${get('/a')}POST /b HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 7\r\n\r\npayload${get('/c')}`);
    const [a, b, c] = [await raw.response(), await raw.response(), await raw.response()];
    expect(echoed(a).url).toBe('/a');
    expect([echoed(b).method, echoed(b).url, echoed(b).body]).toEqual(['POST', '/b', 'payload']);
    expect(echoed(c).url).toBe('/c');
  });
  it('answers local 404s and a proxied GET sent in one write in order', async () => {
    const raw = new Raw(plane.httpPort);
    const unknown = 'GET /nope HTTP/1.1\r\nHost: unknown.test\r\n\r\n';
    raw.send(unknown + unknown + get('/found'));
    expect([(await raw.response()).status, (await raw.response()).status]).toEqual([404, 404]);
    expect(echoed(await raw.response()).url).toBe('/found');
  });
});

describe('chunked request bodies', () => {
  const chunkedPost = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\n\r\n`;

  it('reach the upstream intact', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(`${chunkedPost('/echo')}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`);
    const answer = await raw.response();
    expect([answer.status, echoed(answer).body]).toEqual([200, 'hello world']);
  });

  it('reach the upstream intact with extensions and trailers, and the connection serves the next request', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(`${chunkedPost('/echo')}3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n${get('/after')}`);
    expect(echoed(await raw.response()).body).toBe('abc');
    expect(echoed(await raw.response()).url).toBe('/after');
  });

  it('reach the upstream intact when sent slowly, in pieces cut across the framing', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(`${chunkedPost('/x/pieces')}5\r\nhel`);
    await upstreamHas('hel');
    raw.send('lo\r\n6\r\n wo');
    await upstreamHas('hello wo');
    raw.send('rld\r\n0\r\n');
    await upstreamHas('hello world');
    raw.send('\r\n');
    const answer = await raw.response();
    expect([answer.status, answer.text]).toEqual([200, 'hello world']);
  });

  it('of more than 1 MiB in one write reach the upstream intact', async () => {
    const raw = new Raw(plane.httpPort);
    const chunk = (i: number): string => `10000\r\n${String.fromCharCode(97 + i).repeat(0x10000)}\r\n`;
    const chunks = Array.from({ length: 20 }, (_, i) => chunk(i));
    raw.send(`${chunkedPost('/echo')}${chunks.join('')}0\r\n\r\n${get('/after-big')}`);
    const body = echoed(await raw.response()).body;
    expect(body.length).toBe(20 * 0x10000);
    expect(body).toBe(Array.from({ length: 20 }, (_, i) => String.fromCharCode(97 + i).repeat(0x10000)).join(''));
    expect(echoed(await raw.response()).url).toBe('/after-big');
  });

  it('byte by byte reach the upstream intact', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(chunkedPost('/echo'));
    for (const b of Buffer.from('4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n', 'latin1')) raw.send(Buffer.from([b]));
    expect(echoed(await raw.response()).body).toBe('abcdef');
  });
});

describe('HTTP/1.0', () => {
  it('answers a request without keep-alive and closes the connection', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send('GET /x/fixed HTTP/1.0\r\nHost: shop.test\r\n\r\n');
    const answer = await raw.response();
    expect([answer.status, answer.text, answer.headers.connection]).toEqual([200, 'fixed', 'close']);
    await raw.closed;
    expect(raw.pending).toBe(0);
  });

  it('keeps the connection open with Connection: keep-alive, and says so', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send('GET /x/fixed HTTP/1.0\r\nHost: shop.test\r\nConnection: keep-alive\r\n\r\n');
    const first = await raw.response();
    expect([first.status, first.text, first.headers.connection]).toEqual([200, 'fixed', 'keep-alive']);
    raw.send('GET /x/fixed HTTP/1.0\r\nHost: shop.test\r\nConnection: keep-alive\r\n\r\n');
    expect((await raw.response()).text).toBe('fixed');
    expect(raw.isClosed).toBe(false);
  });

  it('gets an answer without a length close-delimited, never chunked', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send('GET /x/chunked HTTP/1.0\r\nHost: shop.test\r\nConnection: keep-alive\r\n\r\n');
    await raw.closed;
    const answer = await raw.response();
    expect(answer.headers['transfer-encoding']).toBeUndefined();
    expect(answer.headers.connection).toBe('close');
    expect(answer.text).toBe('hello world');
  });
});

describe('HTTP/1.1 with Connection: close', () => {
  it('gets connection: close in the answer and the connection closes', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(get('/x/fixed', 'Connection: close\r\n'));
    const answer = await raw.response();
    expect([answer.status, answer.text, answer.headers.connection]).toEqual([200, 'fixed', 'close']);
    await raw.closed;
    expect(raw.pending).toBe(0);
  });
});

describe('answers without a body', () => {
  it('HEAD gets the upstream content-length and no body; the connection is reused', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send('HEAD /x/fixed HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    const head = await raw.response({ head: true });
    expect([head.status, head.headers['content-length'], head.text]).toEqual([200, '5', '']);
    raw.send(get('/x/fixed'));
    const next = await raw.response();
    expect([next.status, next.text]).toEqual([200, 'fixed']);
  });

  it('204 and 304 carry no body and the connection serves the next request', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(get('/x/204'));
    const empty = await raw.response();
    expect([empty.status, empty.headers['x-kind'], empty.headers['content-length'], empty.headers['transfer-encoding']]).toEqual([204, 'empty', undefined, undefined]);
    raw.send(get('/x/304', 'If-None-Match: "v1"\r\n'));
    const cached = await raw.response();
    expect([cached.status, cached.headers.etag, cached.headers['transfer-encoding']]).toEqual([304, '"v1"', undefined]);
    raw.send(get('/x/fixed'));
    expect((await raw.response()).text).toBe('fixed');
    expect(raw.pending).toBe(0);
  });

  it('HEAD, 204 and 304 pipelined in one write leave no stray bytes between the answers', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(`HEAD /x/fixed HTTP/1.1\r\nHost: shop.test\r\n\r\n${get('/x/204')}${get('/x/304')}${get('/x/fixed')}`);
    expect((await raw.response({ head: true })).status).toBe(200);
    expect((await raw.response()).status).toBe(204);
    expect((await raw.response()).status).toBe(304);
    expect((await raw.response()).text).toBe('fixed');
  });
});

describe('upstream answers without a length', () => {
  it('reach an HTTP/1.1 client chunked and complete', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(get('/x/chunked'));
    const answer = await raw.response();
    expect([answer.status, answer.headers['transfer-encoding'], answer.headers['content-length'], answer.text]).toEqual([200, 'chunked', undefined, 'hello world']);
    raw.send(get('/x/fixed'));
    expect((await raw.response()).text).toBe('fixed');
  });
});

describe('large answers', () => {
  it('stream more than 1 MiB with a content-length completely', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(get('/x/big'));
    const answer = await raw.response();
    expect([answer.status, answer.headers['content-length'], answer.body.length]).toEqual([200, String(BIG), BIG]);
    expect(answer.body.every((b) => b === 0x62)).toBe(true);
    raw.send(get('/x/fixed'));
    expect((await raw.response()).text).toBe('fixed');
  });

  it('stream more than 1 MiB chunked completely and in order', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(get('/x/big-chunked'));
    const answer = await raw.response();
    expect([answer.status, answer.headers['transfer-encoding'], answer.body.length]).toEqual([200, 'chunked', 24 * 64 * 1024]);
    for (let i = 0; i < 24; i++) expect(answer.body[i * 64 * 1024]).toBe(i);
  });
});

describe('local answers with an unread request body', () => {
  const post404 = 'POST /form HTTP/1.1\r\nHost: unknown.test\r\nContent-Length: 10\r\n\r\n';

  it('a 404 with a body in the same write still lets the next request work', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(`${post404}0123456789${get('/next')}`);
    expect((await raw.response()).status).toBe(404);
    const next = await raw.response();
    expect([next.status, echoed(next).url]).toEqual([200, '/next']);
  });

  it('a 404 whose body arrives after the answer still lets the next request work', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(post404);
    expect((await raw.response()).status).toBe(404);
    raw.send('01234');
    raw.send(`56789${get('/later')}`);
    const next = await raw.response();
    expect([next.status, echoed(next).url]).toEqual([200, '/later']);
  });

  it('a 404 with a large body in the same write still lets the next request work', async () => {
    const raw = new Raw(plane.httpPort);
    const size = 300 * 1024;
    raw.send(`POST /form HTTP/1.1\r\nHost: unknown.test\r\nContent-Length: ${size}\r\n\r\n${'z'.repeat(size)}${get('/after-large')}`);
    expect((await raw.response()).status).toBe(404);
    expect(echoed(await raw.response()).url).toBe('/after-large');
  });

  it('a 404 with a chunked body still lets the next request work', async () => {
    const raw = new Raw(plane.httpPort);
    raw.send(`POST / HTTP/1.1\r\nHost: unknown.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n${get('/chunked-next')}`);
    expect((await raw.response()).status).toBe(404);
    expect(echoed(await raw.response()).url).toBe('/chunked-next');
  });
});

describe('idle keep-alive connections', () => {
  let short: Awaited<ReturnType<typeof startPlane>>;

  beforeAll(async () => {
    short = await startPlane({ limits: { ...defaultListenerLimits, keepAliveTimeoutMs: 300 } });
    short.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
  });

  afterAll(async () => {
    await short.close();
  });

  it('are closed by the server after keepAliveTimeoutMs, without an answer', async () => {
    const raw = new Raw(short.httpPort);
    raw.send(get('/idle'));
    expect((await raw.response()).status).toBe(200);
    const idleSince = performance.now();
    await raw.closed;
    expect(performance.now() - idleSince).toBeGreaterThanOrEqual(200);
    expect(raw.pending).toBe(0);
  });
});
