// Inputs built to cost a parser more than their size, over real sockets: they get the right
// answer (the CPU they cost is measured by bench/parser.ts and counted by the unit tests).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { rawExchange, statusLine } from './raw-client.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane();
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

const bodyOf = (text: string): string => text.slice(text.indexOf('\r\n\r\n') + 4);

describe('adversarial HTTP/1 input', () => {
  it('a field of `x`, 12,000 spaces (the upstream, node:http, allows 16 KiB heads) and `y` is forwarded with its inner spaces and no outer ones', async () => {
    const text = await rawExchange(plane.httpPort, `GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\nX-Long: x${' '.repeat(12_000)}y \t \r\n\r\n`);
    expect(statusLine(text)).toBe('HTTP/1.1 200 OK');
    expect(web.requests.at(-1)?.headers['x-long']).toBe(`x${' '.repeat(12_000)}y`);
    expect(bodyOf(text)).toContain('"upstream"');
  });

  it('a 12 KB head written one byte at a time is answered', async () => {
    const head = `GET /drip HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n${'X-F: value\r\n'.repeat(1_000)}\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(plane.httpPort, '127.0.0.1').setNoDelay(true);
      let text = '';
      socket.setEncoding('latin1').on('data', (c: string) => { text += c; });
      socket.on('close', () => { resolve(text); }).on('error', reject);
      for (const b of Buffer.from(head, 'latin1')) socket.write(Buffer.from([b]));
    });
    expect(statusLine(answer)).toBe('HTTP/1.1 200 OK');
  });

  it('trailers adding up past the head limit get 431, short ones pass', async () => {
    const post = 'POST / HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\na\r\n0\r\n';
    const line = `X-T: ${'t'.repeat(90)}\r\n`;
    const big = await rawExchange(plane.httpPort, `${post}${line.repeat(400)}\r\n`);
    expect(statusLine(big)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const small = await rawExchange(plane.httpPort, `${post}${line.repeat(10)}\r\n`);
    expect(statusLine(small)).toBe('HTTP/1.1 200 OK');
  });
});
