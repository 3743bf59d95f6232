// Malformed and hostile requests over a raw socket: each gets a 4xx (or a closed connection),
// never a crash, and the next well-formed request still works.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import { rawExchange, statusLine } from './raw-client.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane({ limits: { ...defaultListenerLimits, maxHeaderBytes: 4096, headersTimeoutMs: 500 } });
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

const send = (bytes: string, timeoutMs?: number) => rawExchange(plane.httpPort, bytes, timeoutMs === undefined ? {} : { timeoutMs });

describe('request smuggling and malformed requests', () => {
  it.each([
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd'],
    ['bad chunk size', 'POST / HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: shop.test\r\nX-A: 1\r\n  folded\r\n\r\n'],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : shop.test\r\n\r\n'],
    ['missing Host on HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n'],
    ['invalid Host', 'GET / HTTP/1.1\r\nHost: bad host!\r\n\r\n'],
    ['absolute-form to another origin', 'GET http://evil.test/ HTTP/1.1\r\nHost: shop.test\r\n\r\n'],
  ])('%s → 400', async (_name, bytes) => {
    expect(statusLine(await send(bytes))).toBe('HTTP/1.1 400 Bad Request');
    expect(web.requests.length).toBe(0);
  });

  it('oversized headers → 431', async () => {
    expect(statusLine(await send(`GET / HTTP/1.1\r\nHost: shop.test\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`))).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('a client that never finishes its headers is cut off (slowloris)', async () => {
    const answer = await send('GET / HTTP/1.1\r\nHost: shop.test\r\nX-Slow: 1\r\n', 3_000);
    expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('a kept-alive client that begins its next head and never finishes it gets 408 (the head deadline, not the idle one)', async () => {
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect(plane.httpPort, '127.0.0.1', () => { socket.write('GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n'); });
      socket.setEncoding('latin1').on('data', (c: string) => {
        const first = text === '';
        text += c;
        // Idle between requests now; the next head's first bytes, then nothing.
        if (first) socket.write('GET / HTTP/1.1\r\nHost: shop.test\r\n');
      }).on('close', () => { resolve(text); });
    });
    expect(answer.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(answer).toContain('HTTP/1.1 408 Request Timeout');
  });

  it('still serves a well-formed request afterwards', async () => {
    expect(statusLine(await send('GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n'))).toBe('HTTP/1.1 200 OK');
    const codes = (await plane.metrics.clientErrors.get()).values.map((v) => v.labels.code);
    expect(codes).toEqual(expect.arrayContaining(['HPE_HEADER_OVERFLOW', 'ERR_HTTP_REQUEST_TIMEOUT']));
  });
});

describe('HTTP/1.1 over TLS', () => {
  it('cuts off a client that never finishes its headers (slowloris over TLS)', async () => {
    const { connect } = await import('node:tls');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect({ port: plane.httpsPort, host: '127.0.0.1', rejectUnauthorized: false, servername: 'shop.test', ALPNProtocols: ['http/1.1'] }, () => {
        socket.write('GET / HTTP/1.1\r\nHost: shop.test\r\nX-Slow: 1\r\n');
      });
      socket.setEncoding('latin1').on('data', (c: string) => { text += c; }).on('close', () => { resolve(text); });
    });
    expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('refuses oversized headers with 431', async () => {
    const { connect } = await import('node:tls');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const socket = connect({ port: plane.httpsPort, host: '127.0.0.1', rejectUnauthorized: false, servername: 'shop.test', ALPNProtocols: ['http/1.1'] }, () => {
        socket.write(`GET / HTTP/1.1\r\nHost: shop.test\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
      });
      socket.setEncoding('latin1').on('data', (c: string) => { text += c; }).on('close', () => { resolve(text); });
    });
    expect(statusLine(answer)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });
});
