// A handler that throws costs its request, not the process: real listeners (HTTP/1, h2c) with
// guarded handlers that throw on /boom. The client gets 500 (HTTP/1: and the connection closes),
// the failure is reported once, and the listener keeps serving.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect } from 'node:http2';
import { guardHandlers } from '../../../src/dataplane/handler-guard.ts';
import { closeGracefully, listen } from '../../../src/dataplane/listen.ts';
import { createHttpListener, defaultListenerLimits, type DrainableServer, type ListenerHandlers } from '../../../src/dataplane/servers.ts';
import { rawExchange, statusLine } from './raw-client.ts';

const failures: string[] = [];
let server: DrainableServer;
let port: number;

const throwing: ListenerHandlers = {
  request: (req, res) => {
    if (req.url === '/boom') throw new Error('bug in a handler');
    res.writeHead(200, { 'content-length': '3' });
    res.end('ok\n');
  },
  upgrade: () => { throw new Error('bug in an upgrade'); },
  connect: () => { throw new Error('bug in a CONNECT'); },
};

beforeAll(async () => {
  server = createHttpListener(guardHandlers(throwing, (what, err) => { failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`); }),
    defaultListenerLimits, { onConnection: () => undefined, onClientError: () => undefined }, true);
  port = await listen(server, 0, '127.0.0.1');
});

afterAll(async () => {
  await closeGracefully(server, 1_000);
});

function h2cGet(path: string, extra: Record<string, string> = {}): Promise<{ status: number; body: string; next: () => Promise<number> }> {
  const session = h2connect(`http://127.0.0.1:${port}`);
  const get = (p: string, headers: Record<string, string>): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
    const stream = session.request({ ':path': p, ':authority': 'shop.test', ...headers });
    let body = '';
    let status = 0;
    stream.setEncoding('utf8');
    stream.on('response', (h) => { status = Number(h[':status']); });
    stream.on('data', (c: string) => { body += c; });
    stream.on('end', () => { resolve({ status, body }); });
    stream.on('error', reject);
  });
  return get(path, extra).then((first) => ({
    ...first,
    // A second request on the same session: the session survived the failed stream.
    next: () => get('/ok', {}).then((r) => { session.close(); return r.status; }),
  }));
}

describe('a handler that throws', () => {
  it('HTTP/1: 500 with connection: close, then the next connection is served', async () => {
    failures.length = 0;
    const answer = await rawExchange(port, 'GET /boom HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    expect(statusLine(answer)).toBe('HTTP/1.1 500 Internal Server Error');
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(failures).toEqual(['request: bug in a handler']);
    expect(statusLine(await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n'))).toBe('HTTP/1.1 200 OK');
  });

  it('HTTP/2: 500 on that stream, and the same session serves the next one', async () => {
    failures.length = 0;
    const r = await h2cGet('/boom');
    expect(r.status).toBe(500);
    expect(r.body).toBe('internal error\n');
    expect(await r.next()).toBe(200);
    expect(failures).toEqual(['request: bug in a handler']);
  });

  it('an upgrade: the connection is closed and the listener keeps serving', async () => {
    failures.length = 0;
    const answer = await rawExchange(port, 'GET /ws HTTP/1.1\r\nHost: shop.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(answer).toBe('');
    expect(failures).toEqual(['upgrade: bug in an upgrade']);
    expect(statusLine(await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n'))).toBe('HTTP/1.1 200 OK');
  });

  it('an HTTP/2 extended CONNECT: 500 on that stream', async () => {
    failures.length = 0;
    const r = await h2cGet('/ws', { ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http' });
    expect(r.status).toBe(500);
    expect(await r.next()).toBe(200);
    expect(failures).toEqual(['connect: bug in a CONNECT']);
  });
});
