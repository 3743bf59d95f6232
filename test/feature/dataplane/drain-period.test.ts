// The drain period (SIGTERM until the listeners close): the data plane keeps answering, but tells
// every client to go — HTTP/1 answers carry `connection: close` and the connection ends after
// them, HTTP/2 sessions get GOAWAY — while an idle HTTP/1 connection is left open, because closing
// it could race a request the client is sending at that moment (the keep-alive race that loses
// requests in a rolling update).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web', (_req, res) => { res.writeHead(200, { 'content-length': '2' }).end('ok'); });
  plane = await startPlane({ h2c: true });
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

function open(): Promise<Socket> {
  return new Promise((resolve) => { const s = connect(plane.httpPort, '127.0.0.1', () => { resolve(s); }); });
}

/** Sends one request and resolves with the head of its answer (content-length ends it). */
function ask(s: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (c: Buffer): void => {
      text += c.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head !== -1 && length?.[1] !== undefined && text.length >= head + 4 + Number(length[1])) {
        s.off('data', onData);
        resolve(text.slice(0, head));
      }
    };
    s.on('data', onData);
    s.write(`GET ${path} HTTP/1.1\r\nHost: shop.test\r\n\r\n`);
  });
}

const closed = (s: Socket): Promise<void> => new Promise((resolve) => { if (s.readableEnded || s.destroyed) resolve(); else s.once('close', () => { resolve(); }); });

describe('the drain period', () => {
  it('answers on, with connection: close, and leaves idle connections open until they ask', async () => {
    const early = await open();
    expect(await ask(early, '/before')).not.toMatch(/connection: close/i);
    const h2 = h2connect(`http://127.0.0.1:${plane.httpPort}`);
    const goaway = new Promise<void>((resolve) => { h2.once('goaway', () => { resolve(); }); });
    await new Promise<void>((resolve) => { h2.request({ ':path': '/h2', host: 'shop.test' }).on('response', () => { resolve(); }).resume(); });

    plane.drain();
    await goaway;
    // Idle, and not closed by the drain: the client may be writing its next request right now.
    await sleep(100);
    expect(early.destroyed || early.readableEnded).toBe(false);
    const head = await ask(early, '/during');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\nconnection: close(\r\n|$)/);
    await closed(early);

    const late = await open();
    expect(await ask(late, '/new-during')).toMatch(/\r\nconnection: close(\r\n|$)/);
    await closed(late);
    h2.close();
  });
});
