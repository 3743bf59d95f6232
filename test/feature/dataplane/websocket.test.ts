// WebSocket (HTTP/1.1 Upgrade) through the proxy, over HTTP and over TLS: the handshake reaches
// the upstream with forwarding headers and bytes flow both ways after the 101.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { hostRoutes, route, startPlane, table, upstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let wsUpstream: Server;
const seenHeaders: Record<string, string | string[] | undefined>[] = [];

beforeAll(async () => {
  // A minimal upgrade server: answers 101 and then echoes every byte upper-cased.
  wsUpstream = createServer((_req, res) => { res.writeHead(426).end(); });
  wsUpstream.on('upgrade', (req, socket) => {
    seenHeaders.push(req.headers);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (c: Buffer) => socket.write(c.toString().toUpperCase()));
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => wsUpstream.listen(0, '127.0.0.1', resolve));
  plane = await startPlane();
  const u = upstream('ws', [{ host: '127.0.0.1', port: (wsUpstream.address() as AddressInfo).port }]);
  plane.tables.publish(table({ 'ws.test': hostRoutes(route('/', u)), 'none.test': hostRoutes(route('/', upstream('none', []))) }));
});

afterAll(async () => {
  await plane.close();
  wsUpstream.closeAllConnections();
  await new Promise<void>((resolve) => wsUpstream.close(() => { resolve(); }));
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
