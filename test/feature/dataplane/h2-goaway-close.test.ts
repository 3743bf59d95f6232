// An HTTP/2 session ended by GOAWAY closes its connection once its last stream is done, even when
// the peer keeps its side open: node:http2 alone waits for the peer's FIN, which such a client
// never sends, so the connection stayed until the idle timeout (75 s) or the shutdown deadline
// (30 s). Real sockets; each test awaits the close itself (a listener's connection hook, or the
// data plane's close resolving), never a clock.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ClientResponse } from '../../../src/dataplane/client-response.ts';
import { closeGracefully, listen } from '../../../src/dataplane/listen.ts';
import { createHttpListener, defaultListenerLimits, type DrainableServer } from '../../../src/dataplane/servers.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream } from './support.ts';

function answer(res: ClientResponse, body: string): void {
  res.writeHead(200, { 'content-length': String(body.length) });
  res.end(body);
}

/** Something that happens repeatedly: `next()` resolves at its next occurrence. */
class Events {
  private waiting: (() => void)[] = [];

  seen(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }

  next(): Promise<void> {
    return new Promise((resolve) => { this.waiting.push(resolve); });
  }
}

describe('a client that sends GOAWAY and keeps the connection open (h2c listener)', () => {
  const closes = new Events();
  const held: ClientResponse[] = [];
  let server: DrainableServer;
  let port: number;
  const sessions: ClientHttp2Session[] = [];

  beforeAll(async () => {
    server = createHttpListener({
      request: (req, res) => {
        if (req.url === '/held') held.push(res);
        else answer(res, 'ok');
      },
      upgrade: (_req, socket) => { socket.destroy(); },
      connect: (_req, res) => { res.writeHead(405); res.end(); },
    }, defaultListenerLimits, { onConnection: (delta) => { if (delta === -1) closes.seen(); }, onClientError: () => undefined }, true);
    port = await listen(server, 0, '127.0.0.1');
  });

  afterEach(() => {
    for (const s of sessions.splice(0)) s.destroy();
  });

  afterAll(async () => {
    await closeGracefully(server, 1_000);
  });

  function open(): ClientHttp2Session {
    const session = h2connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    sessions.push(session);
    return session;
  }

  function get(session: ClientHttp2Session, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const stream = session.request({ ':path': path, ':authority': 'shop.test' });
      let status = 0;
      let body = '';
      stream.setEncoding('utf8');
      stream.on('response', (h) => { status = Number(h[':status']); });
      stream.on('data', (c: string) => { body += c; });
      stream.on('end', () => { resolve({ status, body }); });
      stream.on('error', reject);
    });
  }

  it('is closed by the server when no stream is open', async () => {
    const session = open();
    expect(await get(session, '/')).toEqual({ status: 200, body: 'ok' });
    const closed = closes.next();
    session.goaway(0);
    await closed;
    expect(session.closed).toBe(false); // the client itself never closed it
  });

  it('serves the stream in flight to its end, then is closed by the server', async () => {
    const session = open();
    expect(await get(session, '/')).toEqual({ status: 200, body: 'ok' });
    const reply = get(session, '/held');
    while (held.length === 0) await new Promise(setImmediate);
    session.goaway(0);
    const closed = closes.next();
    const res = held.shift();
    if (res !== undefined) answer(res, 'done');
    expect(await reply).toEqual({ status: 200, body: 'done' });
    await closed;
  });
});

// HTTP/2 frames by hand for a client that ignores GOAWAY and never closes its side.
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const frame = (type: number, flags: number, stream: number, payload: Buffer): Buffer => {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
};
const SETTINGS = frame(4, 0, 0, Buffer.alloc(0));
const SETTINGS_ACK = frame(4, 1, 0, Buffer.alloc(0));
/** HEADERS (END_STREAM, END_HEADERS) on stream 1: GET https://<authority>/slow, HPACK without Huffman. */
function getSlow(authority: string): Buffer {
  const path = Buffer.from('/slow', 'latin1');
  const host = Buffer.from(authority, 'latin1');
  // :method GET (static 2), :scheme https (static 7), :path literal (name 4), :authority literal (name 1).
  const block = Buffer.concat([Buffer.from([0x82, 0x87, 0x04, path.length]), path, Buffer.from([0x01, host.length]), host]);
  return frame(1, 0x5, 1, block);
}

describe('shutdown with an HTTP/2 client that ignores GOAWAY and keeps its side open (TLS)', () => {
  let release: () => void = () => undefined;
  const slowStarted = new Events();
  let web: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    web = await startUpstream('web', (_req, res) => {
      release = () => { res.writeHead(200, { 'content-length': '4' }).end('done'); };
      slowStarted.seen();
    });
  });

  afterAll(async () => {
    await web.close();
  });

  it('finishes the stream in flight, then the close completes without waiting for the deadline', async () => {
    const plane = await startPlane();
    plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
    const started = slowStarted.next();
    const received: Buffer[] = [];
    // allowHalfOpen: the server's FIN does not end our side (node:tls passes it to the socket).
    const options: ConnectionOptions & { allowHalfOpen: boolean } = {
      port: plane.httpsPort, host: '127.0.0.1', servername: 'shop.test', ALPNProtocols: ['h2'], rejectUnauthorized: false, allowHalfOpen: true,
    };
    const socket: TLSSocket = await new Promise((resolve) => {
      const s = tlsConnect(options, () => {
        s.write(Buffer.concat([PREFACE, SETTINGS, SETTINGS_ACK, getSlow('shop.test')]));
        resolve(s);
      });
      s.on('data', (c: Buffer) => { received.push(c); });
      s.on('error', () => undefined);
    });
    await started;
    const closing = plane.close(); // GOAWAY; the stream in flight may finish
    release();
    await closing;
    // The answer reached the client before the connection closed: DATA "done" on stream 1.
    expect(Buffer.concat(received).includes(Buffer.from('done'))).toBe(true);
    socket.destroy();
  });
});
