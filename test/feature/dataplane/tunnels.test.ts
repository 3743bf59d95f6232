// The life of a tunnel after a good upgrade: bytes both ways, one access-log line when it closes
// (duration, bytes each way, who closed it), the tunnel metrics, the idle timeout (HTTP/1.1 and
// HTTP/2 extended CONNECT) and the close at the end of the drain period.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect as h2connect, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { hostRoutes, route, startPlane, table, upstream } from './support.ts';

type Plane = Awaited<ReturnType<typeof startPlane>>;

/** Upgraded sockets, which node:http no longer tracks. */
const upgraded = new Set<Duplex>();

/** Answers 101 and echoes upper-cased; "bye" makes it say "BYE" and close its side first. */
async function startEchoUpstream(): Promise<Server> {
  const server = createServer((_req, res) => { res.writeHead(426).end(); });
  server.on('upgrade', (req, socket) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('end', () => socket.end());
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', (c: Buffer) => {
      if (c.toString() === 'bye') socket.end('BYE');
      else socket.write(c.toString().toUpperCase());
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface AccessLine { method: string; path: string; status: number; bytes: number; bytesFromClient?: number; closedBy?: string; service: string; durationMs: number }

/** An in-process data plane whose access-log lines can be awaited. */
async function startLoggingPlane(): Promise<{ plane: Plane; tunnelLine: (path: string) => Promise<AccessLine> }> {
  const lines: AccessLine[] = [];
  const waiting: { path: string; resolve: (l: AccessLine) => void }[] = [];
  const plane = await startPlane({ accessLog: true }, {
    accessLog: (text) => {
      const line = JSON.parse(text) as AccessLine;
      lines.push(line);
      const i = waiting.findIndex((w) => w.path === line.path && line.closedBy !== undefined);
      if (i !== -1) waiting.splice(i, 1)[0]?.resolve(line);
    },
  });
  const tunnelLine = (path: string): Promise<AccessLine> => {
    const seen = lines.find((l) => l.path === path && l.closedBy !== undefined);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => { waiting.push({ path, resolve }); });
  };
  return { plane, tunnelLine };
}

function handshake(port: number, host: string, path: string): Promise<{ socket: Socket; head: string }> {
  const socket = connect(port, '127.0.0.1');
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('latin1');
    const onData = (c: string): void => {
      text += c;
      if (text.includes('\r\n\r\n')) { socket.off('data', onData); resolve({ socket, head: text }); }
    };
    socket.on('data', onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  });
}

const closed = (s: Socket | ClientHttp2Stream): Promise<void> => new Promise((resolve) => { s.once('close', () => { resolve(); }); });
const nextData = (s: Socket): Promise<string> => new Promise((resolve) => { s.once('data', (c: string) => { resolve(c); }); });

async function h2Tunnel(plane: Plane, authority: string, path: string): Promise<{ session: ClientHttp2Session; stream: ClientHttp2Stream; status: number }> {
  const session = h2connect(`https://127.0.0.1:${plane.httpsPort}`, { rejectUnauthorized: false, servername: authority });
  await new Promise<void>((resolve, reject) => { session.once('remoteSettings', () => { resolve(); }).once('error', reject); });
  const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': path, ':authority': authority, 'sec-websocket-version': '13' }, { endStream: false });
  stream.on('error', () => undefined);
  const status = await new Promise<number>((resolve) => { stream.once('response', (h) => { resolve(Number(h[':status'])); }); });
  return { session, stream, status };
}

async function gauge(plane: Plane, service: string): Promise<number> {
  return (await plane.metrics.tunnelsOpen.get()).values.find((v) => v.labels.service === service)?.value ?? 0;
}

async function counter(plane: Plane, name: 'tunnelBytes' | 'tunnelsClosed', labels: Record<string, string>): Promise<number> {
  const values = (await plane.metrics[name].get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x)).reduce((sum, v) => sum + v.value, 0);
}

let echo: Server;
beforeAll(async () => { echo = await startEchoUpstream(); });
afterAll(async () => {
  for (const socket of upgraded) socket.destroy();
  await new Promise<void>((resolve) => echo.close(() => { resolve(); }));
});

const echoEndpoint = (): { host: string; port: number } => ({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });

describe('an open tunnel', () => {
  let plane: Plane;
  let tunnelLine: (path: string) => Promise<AccessLine>;

  beforeAll(async () => {
    ({ plane, tunnelLine } = await startLoggingPlane());
    plane.tables.publish(table({
      'ws.test': hostRoutes(route('/', upstream('ws', [echoEndpoint()]))),
      'idle.test': hostRoutes(route('/', upstream('quiet', [echoEndpoint()]), { tunnelIdleTimeoutMs: 50 })),
    }));
  });
  afterAll(async () => { await plane.close(); });

  it('relays both ways and, when the client closes, logs one line with status 101, bytes each way and who closed it', async () => {
    const { socket, head } = await handshake(plane.httpPort, 'ws.test', '/client-closes');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(await gauge(plane, 'test/ws:80')).toBe(1);
    socket.write('ping!');
    expect(await nextData(socket)).toBe('PING!');
    socket.end();
    const line = await tunnelLine('/client-closes');
    expect(line).toMatchObject({ method: 'GET', status: 101, bytes: 5, bytesFromClient: 5, closedBy: 'client', service: 'test/ws:80' });
    expect(line.durationMs).toBeGreaterThan(0);
    expect(await gauge(plane, 'test/ws:80')).toBe(0);
    expect(await counter(plane, 'tunnelBytes', { service: 'test/ws:80', direction: 'from_client' })).toBeGreaterThanOrEqual(5);
    expect(await counter(plane, 'tunnelsClosed', { reason: 'client' })).toBeGreaterThanOrEqual(1);
    // A tunnel's lifetime is not a response time.
    const durations = (await plane.metrics.requestDuration.get()).values.filter((v) => v.metricName === 'bollard_request_duration_seconds_count' && v.labels.status_class === '1xx');
    expect(durations.reduce((sum, v) => sum + v.value, 0)).toBe(0);
  });

  it('passes on the upstream\'s last bytes when the upstream closes first', async () => {
    const { socket } = await handshake(plane.httpPort, 'ws.test', '/upstream-closes');
    let text = '';
    socket.on('data', (c: string) => { text += c; });
    const gone = closed(socket);
    socket.write('bye');
    await gone;
    expect(text).toBe('BYE');
    expect(await tunnelLine('/upstream-closes')).toMatchObject({ status: 101, bytes: 3, bytesFromClient: 3, closedBy: 'upstream' });
  });

  it('closes an HTTP/1.1 tunnel quiet for the route\'s idle timeout', async () => {
    const { socket, head } = await handshake(plane.httpPort, 'idle.test', '/quiet');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    await closed(socket);
    expect(await tunnelLine('/quiet')).toMatchObject({ status: 101, bytes: 0, bytesFromClient: 0, closedBy: 'idle', service: 'test/quiet:80' });
    expect(await counter(plane, 'tunnelsClosed', { reason: 'idle' })).toBeGreaterThanOrEqual(1);
  });

  it('closes an HTTP/2 extended CONNECT tunnel quiet for the route\'s idle timeout', async () => {
    const { session, stream, status } = await h2Tunnel(plane, 'idle.test', '/quiet-h2');
    expect(status).toBe(200);
    await closed(stream);
    expect(await tunnelLine('/quiet-h2')).toMatchObject({ method: 'CONNECT', status: 200, closedBy: 'idle', service: 'test/quiet:80' });
    session.destroy();
  });
});

describe('the end of the drain period', () => {
  it('closes open tunnels (HTTP/1.1 and HTTP/2) when the data plane closes, and logs them', async () => {
    const { plane, tunnelLine } = await startLoggingPlane();
    plane.tables.publish(table({ 'ws.test': hostRoutes(route('/', upstream('ws', [echoEndpoint()]))) }));
    const h1 = await handshake(plane.httpPort, 'ws.test', '/drained');
    const h2 = await h2Tunnel(plane, 'ws.test', '/drained-h2');
    expect(h2.status).toBe(200);
    expect(await gauge(plane, 'test/ws:80')).toBe(2);
    const h1Closed = closed(h1.socket);
    const h2Closed = closed(h2.stream);
    await plane.close();
    await Promise.all([h1Closed, h2Closed]);
    expect(await tunnelLine('/drained')).toMatchObject({ status: 101, closedBy: 'drain' });
    expect(await tunnelLine('/drained-h2')).toMatchObject({ status: 200, closedBy: 'drain' });
    expect(await gauge(plane, 'test/ws:80')).toBe(0);
    h2.session.destroy();
  });
});
