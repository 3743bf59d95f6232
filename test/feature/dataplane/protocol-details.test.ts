// Protocol details: Expect: 100-continue, HTTP/2 stream limits advertised, and HTTP/1.1 over
// TLS (ALPN fallback) for clients that do not speak h2.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane({ limits: { ...defaultListenerLimits, h2MaxConcurrentStreams: 64 } });
  plane.tables.publish(table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

describe('Expect: 100-continue', () => {
  it('answers 100 Continue, then forwards the body and the upstream answer', async () => {
    const result = await new Promise<{ continued: boolean; status: number; body: string }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest({ host: '127.0.0.1', port: plane.httpPort, method: 'POST', path: '/upload', headers: { host: 'shop.test', expect: '100-continue', 'content-length': '5' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => { resolve({ continued, status: res.statusCode ?? 0, body }); });
      });
      req.on('continue', () => { continued = true; req.end('hello'); });
      req.on('error', reject);
    });
    expect(result.continued).toBe(true);
    expect(result.status).toBe(200);
    expect((JSON.parse(result.body) as { body: string; headers: Record<string, string> }).body).toBe('hello');
    expect((JSON.parse(result.body) as { headers: Record<string, string> }).headers.expect).toBeUndefined();
  });
});

describe('HTTPS listener', () => {
  it('advertises the configured HTTP/2 stream limit', async () => {
    const session = h2connect(`https://127.0.0.1:${plane.httpsPort}`, { rejectUnauthorized: false, servername: 'shop.test' });
    const settings = await new Promise<number | undefined>((resolve, reject) => {
      session.once('remoteSettings', (s: { maxConcurrentStreams?: number }) => { resolve(s.maxConcurrentStreams); });
      session.once('error', reject);
    });
    session.close();
    expect(settings).toBe(64);
  });

  it('speaks HTTP/1.1 over TLS to a client that offers only http/1.1', async () => {
    const status = await new Promise<{ status: number; proto: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: plane.httpsPort, path: '/', servername: 'shop.test', rejectUnauthorized: false, headers: { host: 'shop.test' } }, (res) => {
        res.resume().on('end', () => { resolve({ status: res.statusCode ?? 0, proto: res.httpVersion }); });
      });
      req.on('error', reject).end();
    });
    expect(status).toEqual({ status: 200, proto: '1.1' });
  });
});
