// Closing the data plane (the end of the drain period): idle keep-alive connections, including
// one that has not sent anything yet, are closed at once; a request in flight gets its whole
// answer, with "connection: close", and only then does close() finish.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
const held: ServerResponse[] = [];
let onHeld: (() => void) | undefined;

beforeAll(async () => {
  web = await startUpstream('web', (req, res) => {
    if (req.url === '/hold') {
      held.push(res);
      onHeld?.();
    } else {
      res.writeHead(200, { 'content-length': '2' }).end('ok');
    }
  });
  plane = await startPlane();
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await web.close();
});

function open(): Promise<Socket> {
  return new Promise((resolve) => { const s = connect(plane.httpPort, '127.0.0.1', () => { resolve(s); }); });
}

/** Everything the server sends until it closes the connection. */
const untilClosed = (s: Socket): Promise<string> => new Promise((resolve) => {
  let text = '';
  s.setEncoding('latin1').on('data', (c: string) => { text += c; }).on('close', () => { resolve(text); });
});

describe('closing the data plane', () => {
  it('closes idle connections at once and finishes the request in flight', async () => {
    const idleAfterRequest = await open();
    const idleAnswers = untilClosed(idleAfterRequest);
    idleAfterRequest.write('GET /ok HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    const neverSent = await open();
    const neverSentClosed = untilClosed(neverSent);
    const busy = await open();
    const busyAnswer = untilClosed(busy);
    const holding = new Promise<void>((resolve) => { onHeld = resolve; });
    busy.write('GET /hold HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    await holding;

    const closed = plane.close();
    expect(await neverSentClosed).toBe('');
    expect(await idleAnswers).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    held[0]?.writeHead(200, { 'content-length': '4' }).end('done');
    const answer = await busyAnswer;
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(answer).toMatch(/\r\nconnection: close\r\n/);
    expect(answer.endsWith('\r\n\r\ndone')).toBe(true);
    await closed;
  });
});
