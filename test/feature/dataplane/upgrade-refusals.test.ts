// A refused upgrade must not become a raw tunnel (issue 11, item 2). The only route is a.test
// Prefix /ws, to an upstream that answers each case as written and never closes a connection.
// A client sends a WebSocket upgrade with a request for internal.example right behind it, and
// another one once the answer has arrived: the client must see the upstream's answer (our 502
// for a 101 that does not prove it read the key), and the upstream must never receive anything
// after the first request. Upgrades to anything but WebSocket are served as ordinary requests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { acceptFor, pathOf, receivedFrom, startRawUpstream, type RawConnection, type RawUpstream } from './raw-upstream.ts';
import { hostRoutes, route, startPlane, table, upstream } from './support.ts';

const SWITCHED = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';
const ANSWERS: Readonly<Record<string, (head: string) => string>> = {
  '/ws/426': () => 'HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n',
  '/ws/400': () => 'HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\n\r\nbad request',
  '/ws/200': () => 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
  '/ws/302': () => 'HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\n\r\n',
  '/ws/101-no-accept': () => `${SWITCHED}\r\n`,
  '/ws/101-wrong-accept': () => `${SWITCHED}Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n`,
  '/ws/101-bare': () => 'HTTP/1.1 101 Switching Protocols\r\n\r\n',
  '/ws/good': (head) => `${SWITCHED}Sec-WebSocket-Accept: ${acceptFor(head)}\r\n\r\n`,
  '/ws/plain': () => 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain',
};

const SMUGGLED = 'GET /admin HTTP/1.1\r\nHost: internal.example\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n';
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgradeRequest = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: a.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n${extra}\r\n`;

let plane: Awaited<ReturnType<typeof startPlane>>;
let backend: RawUpstream;
let requests = 0;
/** A target no other request used: pooled upstream connections are reused, so requests are found by target. */
const unique = (path: string): string => `${path}?n=${++requests}`;

/** The upstream connection that carried `target`; resolves once the proxy has closed it. */
async function closedCarrier(target: string): Promise<RawConnection> {
  const connection = backend.carrying(target);
  if (connection === undefined) throw new Error(`no upstream connection carried ${target}`);
  await connection.closed;
  return connection;
}

beforeAll(async () => {
  backend = await startRawUpstream((head) => (ANSWERS[pathOf(head)] ?? (() => 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'))(head));
  plane = await startPlane();
  plane.tables.publish(table({ 'a.test': hostRoutes(route('/ws', upstream('ws', [backend.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await backend.close();
});

/**
 * Sends `first` (with the smuggled request right behind it), sends the smuggled request again once
 * the answer's head has arrived, and returns everything received until the proxy closed.
 */
function exchange(first: string): Promise<string> {
  const socket: Socket = connect(plane.httpPort, '127.0.0.1');
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    let text = '';
    let again = true;
    socket.setEncoding('latin1').on('data', (c: string) => {
      text += c;
      if (again && text.includes('\r\n\r\n')) {
        again = false;
        if (socket.writable) socket.write(SMUGGLED);
      }
    }).on('close', () => { resolve(text); });
    socket.write(first + SMUGGLED);
  });
}

/** The status line of the answer to `request`; the connection is then dropped. */
function firstLine(request: string): Promise<string> {
  const socket = connect(plane.httpPort, '127.0.0.1');
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('latin1').on('data', (c: string) => {
      text += c;
      if (text.includes('\r\n')) { socket.destroy(); resolve(text.split('\r\n')[0] ?? ''); }
    });
    socket.write(request);
  });
}

describe('HTTP/1.1: an upgrade the upstream does not accept', () => {
  it.each([
    ['/ws/426', 'HTTP/1.1 426 Upgrade Required', ''],
    ['/ws/400', 'HTTP/1.1 400 Bad Request', 'bad request'],
    ['/ws/200', 'HTTP/1.1 200 OK', 'hello'],
    ['/ws/302', 'HTTP/1.1 302 Found', ''],
    ['/ws/101-no-accept', 'HTTP/1.1 502 Bad Gateway', 'upstream unavailable\n'],
    ['/ws/101-wrong-accept', 'HTTP/1.1 502 Bad Gateway', 'upstream unavailable\n'],
  ])('%s: relays %j, closes, and nothing after the first request reaches the upstream', async (path, statusLine, body) => {
    const target = unique(path);
    const answer = await exchange(upgradeRequest(target));
    expect(answer.split('\r\n')[0]).toBe(statusLine);
    expect(answer).toMatch(/\r\nconnection: close\r\n/);
    expect(answer.endsWith(`\r\n\r\n${body}`)).toBe(true);
    const connection = await closedCarrier(target);
    expect(connection.received()).not.toContain('/admin');
    expect(receivedFrom(connection, target).split('\r\n\r\n')).toEqual([expect.stringMatching(/\r\nupgrade: websocket\r\n/), '']);
  });

  it('passes on a 302 with its Location', async () => {
    expect(await exchange(upgradeRequest(unique('/ws/302')))).toMatch(/\r\nlocation: \/login\r\n/);
  });

  it('answers 502 or 504 to a 101 without Upgrade fields, and keeps serving', async () => {
    const target = unique('/ws/101-bare');
    const answer = await exchange(upgradeRequest(target));
    expect(answer.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 50[24] /);
    expect((await closedCarrier(target)).received()).not.toContain('/admin');
    expect(await firstLine(upgradeRequest(unique('/ws/good')))).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('refuses a handshake it cannot check (no key, a body, not GET) with 400 and never asks the upstream', async () => {
    const before = backend.connections.map((c) => c.received()).join('');
    const noKey = upgradeRequest('/ws/good').replace(`Sec-WebSocket-Key: ${KEY}\r\n`, '');
    const withBody = upgradeRequest('/ws/good', 'Content-Length: 2\r\n').replace(/\r\n\r\n$/, '\r\n\r\nhi');
    const post = upgradeRequest('/ws/good').replace(/^GET/, 'POST');
    for (const request of [noKey, withBody, post]) expect((await exchange(request)).split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(backend.connections.map((c) => c.received()).join('')).toBe(before);
  });
});

describe('HTTP/1.1: upgrades to anything but WebSocket are ordinary requests', () => {
  it.each([
    ['h2c', 'Upgrade, HTTP2-Settings', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n'],
    ['TLS/1.0', 'Upgrade', ''],
    ['websocketx', 'Upgrade', ''],
  ])('Upgrade: %s is forwarded without Upgrade fields, and the connection stays HTTP', async (protocol, connectionHeader, extra) => {
    const target = unique('/ws/plain');
    const socket = connect(plane.httpPort, '127.0.0.1');
    const answers = new Promise<string>((resolve) => {
      let text = '';
      socket.setEncoding('latin1').on('data', (c: string) => {
        text += c;
        // Two answers: the upstream's to the first request, ours (404) to the smuggled one.
        if (/\r\n\r\nplain[\s\S]*\r\n\r\nno route\n$/.test(text)) resolve(text);
      });
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: a.test\r\nConnection: ${connectionHeader}\r\nUpgrade: ${protocol}\r\n${extra}\r\n${SMUGGLED}`);
    const text = await answers;
    socket.destroy();
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(text).toContain('HTTP/1.1 404 Not Found\r\n');
    // The 404 shows the smuggled request was parsed and answered here; it can no longer go anywhere.
    const connection = backend.carrying(target);
    const head = connection === undefined ? '' : receivedFrom(connection, target);
    expect(head).toMatch(/\r\n\r\n$/);
    expect(head).not.toMatch(/\r\n(upgrade|http2-settings):/i);
    expect(head).not.toMatch(/\r\nconnection: upgrade/i);
    expect(backend.connections.every((c) => !c.received().includes('/admin'))).toBe(true);
  });
});

async function h2Session(): Promise<ClientHttp2Session> {
  const session = h2connect(`https://127.0.0.1:${plane.httpsPort}`, { rejectUnauthorized: false, servername: 'a.test' });
  await new Promise<void>((resolve, reject) => { session.once('remoteSettings', () => { resolve(); }).once('error', reject); });
  return session;
}

describe('HTTP/2 extended CONNECT: an upgrade the upstream does not accept', () => {
  it.each([
    ['/ws/426', 426, ''],
    ['/ws/400', 400, 'bad request'],
    ['/ws/200', 200, 'hello'],
    ['/ws/302', 302, ''],
    ['/ws/101-no-accept', 502, 'upstream unavailable\n'],
    ['/ws/101-wrong-accept', 502, 'upstream unavailable\n'],
  ])('%s: the stream gets %s and its body, and the upstream connection is closed', async (path, status, body) => {
    const session = await h2Session();
    const target = unique(path);
    const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': target, ':authority': 'a.test', 'sec-websocket-version': '13' }, { endStream: false });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      let text = '';
      let code = 0;
      stream.setEncoding('latin1');
      stream.on('response', (h) => { code = Number(h[':status']); }).on('data', (c: string) => { text += c; }).on('end', () => { resolve({ status: code, body: text }); }).on('error', reject);
    });
    expect(answer).toEqual({ status, body });
    const connection = await closedCarrier(target);
    expect(receivedFrom(connection, target).split('\r\n\r\n')).toEqual([expect.stringMatching(/\r\nsec-websocket-key: /), '']);
    session.destroy();
  });
});
