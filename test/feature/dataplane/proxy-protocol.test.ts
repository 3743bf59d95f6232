// --proxy-protocol through the real data plane, with Debian's HAProxy as the load balancer that
// writes the headers (v1 and v2, haproxy-front.ts): the client address the upstream is told
// (X-Forwarded-For) is the one the header names, over HTTP/1.1, HTTPS and HTTP/2 (RSA-2048).
// Clients connect from other loopback addresses (127.0.0.2, …) than HAProxy's, so the two differ.
// Hand-written headers cover what HAProxy does not send: a drip, LOCAL, and refusals.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startHaproxyFront, type HaproxyFront } from './haproxy-front.ts';
import { certificate, hostRoutes, route, startPlane, startUpstream, table, tlsFixture, upstream, type TestUpstream } from './support.ts';

const HOST = 'shop.example.com';
let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let haproxy: HaproxyFront;
const accessLog: string[] = [];

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane({ proxyProtocol: true, h2c: true, accessLog: true }, { accessLog: (line) => { accessLog.push(line); } });
  const pair = { certPem: await tlsFixture('rsa-2048-a.crt'), keyPem: await tlsFixture('rsa-2048-a.key') };
  plane.tables.publish(table({ [HOST]: hostRoutes(route('/', upstream('web', [web.endpoint]))) }, { [HOST]: certificate('shop', pair) }));
  haproxy = await startHaproxyFront([
    { target: `127.0.0.1:${String(plane.httpPort)}`, version: 1 },
    { target: `127.0.0.1:${String(plane.httpPort)}`, version: 2 },
    { target: `127.0.0.1:${String(plane.httpsPort)}`, version: 1 },
    { target: `127.0.0.1:${String(plane.httpsPort)}`, version: 2 },
  ]);
});

afterAll(async () => {
  await haproxy.stop();
  await plane.close();
  await web.close();
});

interface Echo {
  readonly status: number;
  readonly forwardedFor: string | undefined;
}

const echoOf = (status: number, body: string): Echo =>
  ({ status, forwardedFor: status === 200 ? (JSON.parse(body) as { headers: Record<string, string> }).headers['x-forwarded-for'] : undefined });

/** GET / over HTTP/1.1 (TLS when `tls`) to 127.0.0.1:port from `localAddress`. */
function get(port: number, localAddress: string, tls = false): Promise<Echo> {
  const send = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({ host: '127.0.0.1', port, localAddress, path: '/', headers: { host: HOST }, agent: false, servername: HOST, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => { resolve(echoOf(res.statusCode ?? 0, body)); });
    });
    req.on('error', reject).end();
  });
}

/** GET / over HTTP/2 on the connection `open` makes. */
function getH2(authority: string, open: () => Duplex): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const session = h2connect(authority, { createConnection: open });
    session.on('error', reject);
    const stream = session.request({ ':path': '/', ':authority': HOST });
    let status = 0;
    let body = '';
    stream.on('response', (h) => { status = Number(h[':status']); });
    stream.setEncoding('utf8').on('data', (c: string) => { body += c; });
    stream.on('end', () => { session.close(); resolve(echoOf(status, body)); }).on('error', reject);
  });
}

/** HTTP/2 by ALPN, TLS to 127.0.0.1:port from `localAddress`. */
const overTls = (port: number, localAddress: string) => (): Duplex =>
  tlsConnect({ socket: connect({ host: '127.0.0.1', port, localAddress }), servername: HOST, ALPNProtocols: ['h2'], rejectUnauthorized: false });

/** Writes `parts` in turn (a macrotask apart, so each is its own segment) from `localAddress`; resolves with all the answer. */
function rawExchange(port: number, localAddress: string, parts: readonly Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.setNoDelay(true);
    let answer = '';
    socket.setEncoding('latin1').on('data', (c: string) => { answer += c; });
    socket.on('error', reject).on('close', () => { resolve(answer); });
    socket.once('connect', () => {
      void (async () => {
        for (const part of parts) {
          if (socket.destroyed) return;
          socket.write(part);
          await nextTurn();
        }
      })();
    });
  });
}

const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
/** A v2 PROXY header for TCP over IPv4 from `source`:40000 to 10.0.0.1:443. */
const v2Header = (source: readonly number[]): Buffer => Buffer.from([...V2_SIGNATURE, 0x21, 0x11, 0x00, 0x0c, ...source, 10, 0, 0, 1, 0x9c, 0x40, 0x01, 0xbb]);
const REQUEST = Buffer.from(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`, 'latin1');
/** The X-Forwarded-For the echo upstream got, read from its JSON (the body may be chunked). */
const forwardedForIn = (answer: string): string | undefined =>
  answer.startsWith('HTTP/1.1 200') ? /"x-forwarded-for":"([^"]*)"/.exec(answer)?.[1] : undefined;
const refusals = async (reason: string): Promise<number> =>
  (await plane.metrics.proxyProtocolRefusals.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe('behind HAProxy (mode tcp)', () => {
  it('HTTP/1.1: the upstream is told the client HAProxy names, in v1 and in v2', async () => {
    const [v1, v2] = haproxy.ports;
    expect(await get(v1 ?? 0, '127.0.0.2')).toEqual({ status: 200, forwardedFor: '127.0.0.2' });
    expect(await get(v2 ?? 0, '127.0.0.3')).toEqual({ status: 200, forwardedFor: '127.0.0.3' });
    const logged = await waitFor(() => Promise.resolve(accessLog.length >= 2 ? accessLog.map((l) => (JSON.parse(l) as { client: string }).client) : undefined), {
      what: 'two access-log lines', timeoutMs: 5_000, intervalMs: 10,
    });
    expect(logged.slice(0, 2)).toEqual(['127.0.0.2', '127.0.0.3']);
  });

  it('HTTPS with HTTP/1.1 and HTTP/2: the header is read before the ClientHello, and the client carried past the handshake', async () => {
    const [, , v1, v2] = haproxy.ports;
    expect(await get(v1 ?? 0, '127.0.0.4', true)).toEqual({ status: 200, forwardedFor: '127.0.0.4' });
    expect(await get(v2 ?? 0, '127.0.0.5', true)).toEqual({ status: 200, forwardedFor: '127.0.0.5' });
    expect(await getH2(`https://${HOST}`, overTls(v2 ?? 0, '127.0.0.6'))).toEqual({ status: 200, forwardedFor: '127.0.0.6' });
  });
});

describe('headers as clients send them', () => {
  const v1Header = Buffer.from('PROXY TCP4 198.51.100.9 10.0.0.1 4000 80\r\n', 'latin1');

  it('takes a header dripped one byte per write, and a request sent in the same write as the header', async () => {
    const drip = [...v1Header].map((b) => Buffer.from([b]));
    expect(forwardedForIn(await rawExchange(plane.httpPort, '127.0.0.7', [...drip, REQUEST]))).toBe('198.51.100.9');
    expect(forwardedForIn(await rawExchange(plane.httpPort, '127.0.0.7', [Buffer.concat([v1Header, REQUEST])]))).toBe('198.51.100.9');
  });

  it('keeps the connection\'s own peer for a v2 LOCAL header (a balancer\'s health check)', async () => {
    const local = Buffer.from([...V2_SIGNATURE, 0x20, 0x00, 0x00, 0x00]);
    expect(forwardedForIn(await rawExchange(plane.httpPort, '127.0.0.8', [local, REQUEST]))).toBe('127.0.0.8');
  });

  it('closes a connection without a header unanswered, on either port, and counts it', async () => {
    const before = await refusals('missing');
    expect(await rawExchange(plane.httpPort, '127.0.0.9', [REQUEST])).toBe('');
    const handshake = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: plane.httpsPort, servername: HOST, rejectUnauthorized: false });
      socket.once('secureConnect', () => { socket.destroy(); resolve('secured'); });
      socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? err.message); });
    });
    expect(handshake).not.toBe('secured');
    expect(await refusals('missing')).toBe(before + 2);
  });

  it('takes a v2 header sent in pieces, and the ClientHello written with the header', async () => {
    const v2 = v2Header([198, 51, 100, 20]);
    const pieces = [v2.subarray(0, 5), v2.subarray(5, 14), v2.subarray(14, 20), v2.subarray(20), REQUEST];
    expect(forwardedForIn(await rawExchange(plane.httpPort, '127.0.0.7', pieces))).toBe('198.51.100.20');
    const seen = await new Promise<Echo>((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1', path: '/', headers: { host: HOST }, servername: HOST, rejectUnauthorized: false,
        createConnection: () => {
          // Written while connecting: the header and the ClientHello leave together.
          const socket = connect({ host: '127.0.0.1', port: plane.httpsPort, localAddress: '127.0.0.7' });
          socket.write(v2Header([198, 51, 100, 21]));
          return tlsConnect({ socket, servername: HOST, rejectUnauthorized: false });
        },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => { resolve(echoOf(res.statusCode ?? 0, body)); });
      });
      req.on('error', reject).end();
    });
    expect(seen).toEqual({ status: 200, forwardedFor: '198.51.100.21' });
  });

  it('takes HTTP/2 with prior knowledge (h2c) after the header', async () => {
    const seen = await getH2(`http://${HOST}`, () => {
      const socket = connect({ host: '127.0.0.1', port: plane.httpPort, localAddress: '127.0.0.7' });
      socket.write(v2Header([198, 51, 100, 22]));
      return socket;
    });
    expect(seen).toEqual({ status: 200, forwardedFor: '198.51.100.22' });
  });

  it('refuses a v2 header that says it is longer than 4 KiB as soon as it says so', async () => {
    const before = await refusals('too_long');
    const huge = Buffer.from([...V2_SIGNATURE, 0x21, 0x11, 0xff, 0xff]);
    expect(await rawExchange(plane.httpPort, '127.0.0.9', [huge])).toBe('');
    expect(await refusals('too_long')).toBe(before + 1);
  });

  it('closes a connection with a malformed header', async () => {
    const before = await refusals('malformed');
    expect(await rawExchange(plane.httpPort, '127.0.0.9', [Buffer.from('PROXY TCP4 not-an-address 10.0.0.1 1 2\r\n', 'latin1'), REQUEST])).toBe('');
    expect(await refusals('malformed')).toBe(before + 1);
  });
});

describe('planes of their own', () => {
  it('closes a header that never ends at the head deadline, and counts it', async () => {
    const quick = await startPlane({ proxyProtocol: true, limits: { ...defaultListenerLimits, headersTimeoutMs: 200 } });
    try {
      expect(await rawExchange(quick.httpPort, '127.0.0.10', [Buffer.from('PROXY TCP4 198.51', 'latin1')])).toBe('');
      const timeouts = (await quick.metrics.proxyProtocolRefusals.get()).values.find((v) => v.labels.reason === 'timeout')?.value;
      expect(timeouts).toBe(1);
    } finally {
      await quick.close();
    }
  });

  it('believes only the balancers of --proxy-protocol-trusted-cidrs, and still requires the header of others', async () => {
    const strict = await startPlane({ proxyProtocol: true, proxyProtocolTrustedCidrs: ['127.0.0.1/32'] });
    try {
      strict.tables.publish(table({ [HOST]: hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
      const header = Buffer.from('PROXY TCP4 198.51.100.9 10.0.0.1 4000 80\r\n', 'latin1');
      expect(forwardedForIn(await rawExchange(strict.httpPort, '127.0.0.1', [header, REQUEST]))).toBe('198.51.100.9');
      expect(forwardedForIn(await rawExchange(strict.httpPort, '127.0.0.11', [header, REQUEST]))).toBe('127.0.0.11');
      expect(await rawExchange(strict.httpPort, '127.0.0.11', [REQUEST])).toBe('');
    } finally {
      await strict.close();
    }
  });

  it('closes connections still waiting for their header at shutdown, without waiting for their deadline', async () => {
    const closing = await startPlane({ proxyProtocol: true });
    const waiting = rawExchange(closing.httpPort, '127.0.0.12', [Buffer.from('PROXY TCP4', 'latin1')]);
    // The connection is accepted once the server counts it.
    await waitFor(async () => ((await closing.metrics.activeConnections.get()).values.some((v) => v.value > 0) ? true : undefined), {
      what: 'the connection accepted', timeoutMs: 5_000, intervalMs: 10,
    });
    await closing.close();
    expect(await waiting).toBe('');
  });
});
