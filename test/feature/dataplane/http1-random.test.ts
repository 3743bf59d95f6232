// Randomised (seeded, so repeatable) checks of the HTTP/1 connection handling: pipelined requests
// cut into random pieces all get their answers, in order; random garbage gets a 4xx or a closed
// connection, never a crash, and the data plane keeps serving.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { rawExchange, statusLine } from './raw-client.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';
import { seededRandom } from '../../support/seeded-random.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web', (req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; }).on('end', () => {
      const text = `${req.method ?? ''} ${req.url ?? ''} ${size}`;
      res.writeHead(200, { 'content-length': String(text.length) }).end(text);
    });
  });
  plane = await startPlane();
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

const random = seededRandom;

function request(i: number, rnd: () => number): { bytes: string; expected: string } {
  const kind = Math.floor(rnd() * 3);
  const size = Math.floor(rnd() * 3000);
  const body = 'b'.repeat(size);
  if (kind === 0) return { bytes: `GET /r${i} HTTP/1.1\r\nHost: shop.test\r\n\r\n`, expected: `GET /r${i} 0` };
  if (kind === 1) return { bytes: `POST /r${i} HTTP/1.1\r\nHost: shop.test\r\nContent-Length: ${size}\r\n\r\n${body}`, expected: `POST /r${i} ${size}` };
  const half = Math.floor(size / 2);
  const chunks = `${half.toString(16)};ext=1\r\n${body.slice(0, half)}\r\n${(size - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\nX-Trailer: t\r\n\r\n`;
  return { bytes: `POST /r${i} HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\n\r\n${size === 0 ? '0\r\n\r\n' : chunks}`, expected: `POST /r${i} ${size}` };
}

/** Bodies of `count` length-framed answers, in arrival order. */
function bodies(socket: Socket, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const found: string[] = [];
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      text += c;
      for (;;) {
        const end = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text.slice(0, end));
        if (end === -1 || length === null || text.length < end + 4 + Number(length[1])) break;
        found.push(text.slice(end + 4, end + 4 + Number(length[1])));
        text = text.slice(end + 4 + Number(length[1]));
      }
      if (found.length === count) resolve(found);
    });
    socket.on('close', () => { reject(new Error(`closed after ${found.length} answers`)); });
  });
}

describe('HTTP/1 connection handling, randomised', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('pipelined requests cut into random pieces are answered in order (seed %i)', async (seed) => {
    const rnd = random(seed);
    const requests = Array.from({ length: 12 }, (_, i) => request(i, rnd));
    const stream = requests.map((r) => r.bytes).join('');
    const socket = connect(plane.httpPort, '127.0.0.1');
    const got = bodies(socket, requests.length);
    for (let at = 0; at < stream.length;) {
      const piece = 1 + Math.floor(rnd() * 700);
      socket.write(stream.slice(at, at + piece));
      at += piece;
    }
    expect(await got).toEqual(requests.map((r) => r.expected));
    socket.destroy();
  });

  it('answers random garbage with a 4xx or a close, and keeps serving', async () => {
    const rnd = random(42);
    for (let i = 0; i < 40; i++) {
      const junk = Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => String.fromCharCode(Math.floor(rnd() * 256))).join('');
      const prefix = i % 2 === 0 ? 'GET / HTTP/1.1\r\n' : '';
      const answer = statusLine(await rawExchange(plane.httpPort, `${prefix}${junk}\r\n\r\n`, { timeoutMs: 2_000 }));
      expect(answer === '' || /^HTTP\/1\.1 4\d\d /.test(answer)).toBe(true);
    }
    expect(statusLine(await rawExchange(plane.httpPort, 'GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n'))).toBe('HTTP/1.1 200 OK');
  });
});
