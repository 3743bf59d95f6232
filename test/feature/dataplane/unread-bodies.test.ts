// A request body nobody reads to the end — the upstream could not be reached, or the body limit
// was passed — must not stall the connection: the answer comes, the rest of the body is read and
// dropped, and the next request on the same connection is served.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { deadEndpoint, hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
const BODY = 512 * 1024;

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane();
  plane.tables.publish(table({
    'dead.test': hostRoutes(route('/', upstream('dead', [await deadEndpoint()]))),
    'small.test': hostRoutes(route('/', upstream('web', [web.endpoint]), { maxBodyBytes: 1024 })),
    'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))),
  }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

/** Collects what the server sends; resolves once `count` status lines have arrived. */
function answers(socket: Socket, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      text += c;
      const lines = text.match(/HTTP\/1\.1 \d{3} [^\r\n]*/g) ?? [];
      if (lines.length >= count) resolve(lines);
    });
    socket.on('close', () => { reject(new Error(`connection closed after: ${text.slice(0, 300)}`)); });
  });
}

describe('request bodies left unread', () => {
  it.each([
    ['an unreachable upstream', 'dead.test', 'HTTP/1.1 502 Bad Gateway'],
    ['a body over the limit (chunked, so only counting finds it)', 'small.test', 'HTTP/1.1 413 Payload Too Large'],
  ])('%s: answered, and the connection serves the next request', async (_name, host, status) => {
    const socket = connect(plane.httpPort, '127.0.0.1');
    const got = answers(socket, 2);
    const chunked = host === 'small.test';
    const head = `POST /upload HTTP/1.1\r\nHost: ${host}\r\n${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${BODY}`}\r\n\r\n`;
    const body = chunked ? `${BODY.toString(16)}\r\n${'x'.repeat(BODY)}\r\n0\r\n\r\n` : 'x'.repeat(BODY);
    socket.write(head + body + 'GET /next HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    expect(await got).toEqual([status, 'HTTP/1.1 200 OK']);
    socket.destroy();
  });
});
