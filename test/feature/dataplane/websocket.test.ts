// WebSocket through the proxy: HTTP/1.1 Upgrade over HTTP and over TLS, and extended CONNECT over
// HTTP/2 (RFC 8441). The handshake reaches the upstream with forwarding headers and bytes flow
// both ways after the 101 (200 on HTTP/2).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect as h2connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { hostRoutes, route, startPlane, table, upstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let wsUpstream: Server;
/** Accepts connections and never answers; hands each one to the test that waits for it. */
let silent: NetServer;
let onSilentConnection: ((socket: Socket) => void) | undefined;
const seenHeaders: Record<string, string | string[] | undefined>[] = [];

beforeAll(async () => {
  // A minimal upgrade server: answers 101 and then echoes every byte upper-cased.
  wsUpstream = createServer((_req, res) => { res.writeHead(426).end(); });
  wsUpstream.on('upgrade', (req, socket) => {
    seenHeaders.push(req.headers);
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const protocol = req.headers['sec-websocket-protocol'] === undefined ? '' : `Sec-WebSocket-Protocol: ${req.headers['sec-websocket-protocol'].split(',')[0] ?? ''}\r\n`;
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${protocol}\r\n`);
    socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => wsUpstream.listen(0, '127.0.0.1', resolve));
  silent = createNetServer((socket) => { onSilentConnection?.(socket); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  plane = await startPlane();
  const u = upstream('ws', [{ host: '127.0.0.1', port: (wsUpstream.address() as AddressInfo).port }]);
  const quiet = upstream('silent', [{ host: '127.0.0.1', port: (silent.address() as AddressInfo).port }]);
  plane.tables.publish(table({ 'ws.test': hostRoutes(route('/', u)), 'silent.test': hostRoutes(route('/', quiet)), 'none.test': hostRoutes(route('/', upstream('none', []))) }));
});

afterAll(async () => {
  await plane.close();
  wsUpstream.closeAllConnections();
  await new Promise<void>((resolve) => wsUpstream.close(() => { resolve(); }));
  await new Promise<void>((resolve) => silent.close(() => { resolve(); }));
});

function handshake(socket: Socket, host: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('latin1');
    const onData = (c: string): void => {
      text += c;
      if (text.includes('\r\n\r\n')) { socket.off('data', onData); resolve(text); }
    };
    socket.on('data', onData);
    socket.on('close', () => { resolve(text); });
    socket.write(`GET /chat HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  });
}

const nextData = (socket: Socket): Promise<string> => new Promise((resolve) => { socket.once('data', (c: string) => { resolve(c); }); });

describe('WebSocket upgrade', () => {
  it('switches protocols and relays frames both ways over HTTP', async () => {
    const socket = connect(plane.httpPort, '127.0.0.1');
    const head = await handshake(socket, 'ws.test');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    socket.write('ping');
    expect(await nextData(socket)).toBe('PING');
    socket.destroy();
    const h = seenHeaders.at(-1);
    expect([h?.upgrade, h?.connection, h?.['x-forwarded-for'], h?.['sec-websocket-key']]).toEqual(['websocket', 'upgrade', '127.0.0.1', 'dGhlIHNhbXBsZSBub25jZQ==']);
  });

  it('works over TLS (HTTP/1.1 by ALPN)', async () => {
    const socket = tlsConnect({ port: plane.httpsPort, host: '127.0.0.1', servername: 'ws.test', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const head = await handshake(socket, 'ws.test');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    socket.write('tls');
    expect(await nextData(socket)).toBe('TLS');
    socket.destroy();
  });

  it('refuses an upgrade with no route (404) or no endpoints (503)', async () => {
    expect((await handshake(connect(plane.httpPort, '127.0.0.1'), 'nowhere.test')).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect((await handshake(connect(plane.httpPort, '127.0.0.1'), 'none.test')).split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
  });
});

/** An HTTP/2 session that has seen the server's SETTINGS (extended CONNECT needs them first). */
async function h2Session(): Promise<{ session: ClientHttp2Session; connectProtocol: boolean }> {
  const session = h2connect(`https://127.0.0.1:${plane.httpsPort}`, { rejectUnauthorized: false, servername: 'ws.test' });
  const connectProtocol = await new Promise<boolean>((resolve, reject) => {
    session.once('remoteSettings', (s: { enableConnectProtocol?: boolean }) => { resolve(s.enableConnectProtocol === true); });
    session.once('error', reject);
  });
  return { session, connectProtocol };
}

function extendedConnect(session: ClientHttp2Session, authority: string, extra: Record<string, string> = {}): Promise<{ stream: ClientHttp2Stream; status: number; headers: Record<string, unknown> }> {
  const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': '/chat?room=1', ':authority': authority, 'sec-websocket-version': '13', ...extra }, { endStream: false });
  return new Promise((resolve, reject) => {
    stream.once('response', (headers) => { resolve({ stream, status: Number(headers[':status']), headers }); });
    stream.once('error', reject);
  });
}

describe('WebSocket over HTTP/2 (extended CONNECT, RFC 8441)', () => {
  it('advertises extended CONNECT, answers 200 after the upstream 101 and relays both ways', async () => {
    const { session, connectProtocol } = await h2Session();
    expect(connectProtocol).toBe(true);
    const { stream, status, headers } = await extendedConnect(session, 'ws.test', { 'sec-websocket-protocol': 'chat, superchat' });
    expect(status).toBe(200);
    expect(headers['sec-websocket-protocol']).toBe('chat');
    stream.setEncoding('latin1');
    const echoed = new Promise<string>((resolve) => { stream.once('data', (c: string) => { resolve(c); }); });
    stream.write('over h2');
    expect(await echoed).toBe('OVER H2');
    const h = seenHeaders.at(-1);
    expect([h?.upgrade, h?.connection, h?.['sec-websocket-version'], h?.['x-forwarded-proto'], h?.host]).toEqual(['websocket', 'upgrade', '13', 'https', 'ws.test']);
    expect(h?.['sec-websocket-key']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    session.destroy();
  });

  it('refuses with 404 (no route), 503 (no endpoints) and 405 (plain CONNECT)', async () => {
    const { session } = await h2Session();
    expect((await extendedConnect(session, 'nowhere.test')).status).toBe(404);
    expect((await extendedConnect(session, 'none.test')).status).toBe(503);
    const plain = session.request({ ':method': 'CONNECT', ':authority': 'ws.test:443' }, { endStream: false });
    const status = await new Promise<number>((resolve, reject) => { plain.once('response', (h) => { resolve(Number(h[':status'])); }).once('error', reject); });
    expect(status).toBe(405);
    session.destroy();
  });
});

describe('WebSocket over HTTP/2: the client gives up first', () => {
  it('closes the upstream connection when the stream is cancelled before the upstream answers, and keeps serving', async () => {
    const { session } = await h2Session();
    const upstreamSocket = new Promise<Socket>((resolve) => { onSilentConnection = resolve; });
    const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': '/chat', ':authority': 'silent.test', 'sec-websocket-version': '13' }, { endStream: false });
    stream.on('error', () => undefined);
    const socket = await upstreamSocket;
    const upstreamClosed = new Promise<void>((resolve) => { socket.once('close', () => { resolve(); }); });
    socket.resume();
    stream.close();
    await upstreamClosed;
    expect((await extendedConnect(session, 'ws.test')).status).toBe(200);
    session.destroy();
  });
});
