// Expect: 100-continue over a raw socket: the interim 100 is sent only once the request is
// forwarded (its body first read), never before a local answer — 404, 308, 413 — which then
// closes the connection (whether the announced body follows is up to the client).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane();
  plane.tables.publish(table({
    'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint])), route('/small', upstream('web', [web.endpoint]), { maxBodyBytes: 3 })),
    'secure.test': hostRoutes(route('/', upstream('web', [web.endpoint]), { sslRedirect: true })),
  }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

/** A raw connection whose received bytes can be awaited. */
class Client {
  readonly socket: Socket;
  text = '';
  closed = false;
  private wake: (() => void) | undefined;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (c: string) => { this.text += c; this.wake?.(); });
    this.socket.on('error', () => { /* 'close' follows */ });
    this.socket.on('close', () => { this.closed = true; this.wake?.(); });
    open.add(this);
  }

  /** Waits until the received text satisfies `done` (or the connection closed). */
  async until(done: (text: string) => boolean): Promise<string> {
    while (!done(this.text) && !this.closed) await new Promise<void>((resolve) => { this.wake = resolve; });
    return this.text;
  }
}

const open = new Set<Client>();
afterEach(() => {
  for (const c of open) c.socket.destroy();
  open.clear();
});

const post = (host: string, path: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n`;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** A complete final answer (content-length or chunked) after any interim ones. */
const answered = (text: string): boolean => {
  const final = text.replaceAll(CONTINUE, '');
  const end = final.indexOf('\r\n\r\n');
  if (end === -1) return false;
  if (/transfer-encoding: chunked/i.test(final.slice(0, end))) return final.endsWith('\r\n0\r\n\r\n');
  const length = /content-length: (\d+)/i.exec(final.slice(0, end));
  return length !== null && final.length >= end + 4 + Number(length[1]);
};

describe('Expect: 100-continue', () => {
  it('to a routed host: 100, then (after the body) the upstream answer', async () => {
    const client = new Client(plane.httpPort);
    client.socket.write(post('shop.test', '/upload'));
    expect(await client.until((t) => t.length >= CONTINUE.length)).toBe(CONTINUE);
    client.socket.write('hello');
    const text = await client.until(answered);
    const final = text.slice(CONTINUE.length);
    expect(final.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(final).toContain('"body":"hello"');
    expect(final).not.toContain('100 Continue');
  });

  it.each([
    ['an unknown host', 'unknown.test', '/upload', 404],
    ['a route that redirects to https', 'secure.test', '/upload', 308],
    ['a body larger than the route allows', 'shop.test', '/small', 413],
  ])('to %s: the answer without a 100 before it, then the connection closes', async (_name, host, path, status) => {
    const client = new Client(plane.httpPort);
    client.socket.write(post(host, path));
    const text = await client.until((t) => answered(t) && t.length > 0);
    expect(text.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(text).not.toContain('100 Continue');
    expect(text.toLowerCase()).toContain('connection: close');
    await client.until(() => false);
    expect(client.closed).toBe(true);
  });

  it('a client that sends the body without waiting gets the answer and keeps its connection', async () => {
    const client = new Client(plane.httpPort);
    client.socket.write(`${post('unknown.test', '/upload')}hello`);
    await client.until(answered);
    expect(client.text.startsWith('HTTP/1.1 404 ')).toBe(true);
    client.socket.write('GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n');
    await client.until((t) => t.includes('HTTP/1.1 200 OK'));
    expect(client.text).not.toContain('100 Continue');
    expect(client.closed).toBe(false);
  });
});
