// --use-gzip with --enable-brotli through the real data plane, where nginx is no reference (its
// Brotli module is not in the comparison): Brotli is preferred when the client takes both, each
// codec keeps its own minimum length, bodies survive over HTTP/1.1 and HTTP/2 (a large one across
// the encoder's backpressure), a streamed answer reaches the client before the upstream ends, and
// a client going away mid-body does not break the next request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { connect as h2connect } from 'node:http2';
import { type AddressInfo } from 'node:net';
import { request } from 'undici';
import { brotliDecompressSync, createBrotliDecompress, createGunzip, gunzipSync } from 'node:zlib';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { hostRoutes, route, startPlane, table, upstream } from './support.ts';

const HOST = 'shop.example.com';
const BIG = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `line ${String(i)} of the catalogue\n`).join(''));
let origin: Server;
let plane: Awaited<ReturnType<typeof startPlane>>;
/** Ends the streamed answer of /stream, once the client has seen its first part. */
let endStream: () => void = () => undefined;

beforeAll(async () => {
  origin = createServer((req, res) => {
    if (req.url === '/broken') {
      // Promises 100 KB, sends 2 KB, and goes away: the answer must not end as if whole.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
      res.write('y'.repeat(2000), () => { res.socket?.destroy(); });
      return;
    }
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><body>first part, rendered early');
      endStream = () => { res.end(' and the rest</body></html>'); };
      return;
    }
    const body = req.url === '/big' ? BIG : Buffer.from('x'.repeat(req.url === '/short' ? 100 : 1000));
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const endpoint = { host: '127.0.0.1', port: (origin.address() as AddressInfo).port };
  const types = new Set(['text/plain']);
  plane = await startPlane({ h2c: true, options: { ...defaultDataPlaneOptions, compression: { gzip: { level: 1, minLength: 256, types }, brotli: { level: 4, minLength: 20, types } } } });
  plane.tables.publish(table({ [HOST]: hostRoutes(route('/', upstream('origin', [endpoint]))) }));
});

afterAll(async () => {
  await plane.close();
  await new Promise<void>((resolve) => { origin.close(() => { resolve(); }); });
});

const decode = (encoding: string | undefined, body: Buffer): Buffer =>
  encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body;

async function get(path: string, acceptEncoding: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  const res = await request(`http://127.0.0.1:${String(plane.httpPort)}${path}`, { headers: { host: HOST, 'accept-encoding': acceptEncoding } });
  const encoding = res.headers['content-encoding'];
  const raw = Buffer.from(await res.body.arrayBuffer());
  return { encoding: typeof encoding === 'string' ? encoding : undefined, body: decode(typeof encoding === 'string' ? encoding : undefined, raw) };
}

describe('gzip and Brotli together', () => {
  it('prefers Brotli when the client takes both, and uses gzip for a client that takes only gzip', async () => {
    expect((await get('/', 'gzip, br')).encoding).toBe('br');
    expect((await get('/', 'gzip')).encoding).toBe('gzip');
    expect((await get('/', 'br;q=0, gzip')).encoding).toBe('gzip');
  });

  it('keeps each codec\'s minimum length: 100 bytes is enough for Brotli (20), not for gzip (256)', async () => {
    expect((await get('/short', 'br')).encoding).toBe('br');
    expect((await get('/short', 'gzip')).encoding).toBeUndefined();
  });

  it('sends a large body whole over HTTP/1.1, with each codec', async () => {
    for (const coding of ['br', 'gzip']) {
      const seen = await get('/big', coding);
      expect(seen.encoding).toBe(coding);
      expect(seen.body.equals(BIG)).toBe(true);
    }
  });

  it('sends a large body whole over HTTP/2 (h2c)', async () => {
    const session = h2connect(`http://127.0.0.1:${String(plane.httpPort)}`);
    try {
      const { encoding, body } = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        const stream = session.request({ ':path': '/big', ':authority': HOST, 'accept-encoding': 'br' });
        const chunks: Buffer[] = [];
        let coding: string | undefined;
        stream.on('response', (h) => { coding = typeof h['content-encoding'] === 'string' ? h['content-encoding'] : undefined; });
        stream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => { resolve({ encoding: coding, body: Buffer.concat(chunks) }); }).on('error', reject);
      });
      expect(encoding).toBe('br');
      expect(decode(encoding, body).equals(BIG)).toBe(true);
    } finally {
      session.close();
    }
  });

  it.each(['gzip', 'br'])('sends what the upstream streamed so far, compressed with %s, before the upstream ends', async (coding) => {
    const res = await request(`http://127.0.0.1:${String(plane.httpPort)}/stream`, { headers: { host: HOST, 'accept-encoding': coding } });
    expect(res.headers['content-encoding']).toBe(coding);
    const decoder = coding === 'br' ? createBrotliDecompress() : createGunzip();
    let text = '';
    decoder.setEncoding('utf8').on('data', (c: string) => { text += c; });
    const early = new Promise<void>((resolve) => { decoder.on('data', () => { if (text.includes('rendered early')) resolve(); }); });
    const ended = new Promise<void>((resolve) => { decoder.on('end', resolve); });
    res.body.pipe(decoder);
    // Without a flush per chunk this waits forever: the upstream ends only after it.
    await early;
    endStream();
    await ended;
    expect(text).toBe('<html><body>first part, rendered early and the rest</body></html>');
  });

  it('does not end a compressed answer as whole when the upstream fails in the middle of it', async () => {
    for (const coding of ['gzip', 'br']) {
      // Whether the head was out yet depends on the encoder's flush: either way the exchange fails.
      const whole = async (): Promise<ArrayBuffer> => {
        const res = await request(`http://127.0.0.1:${String(plane.httpPort)}/broken`, { headers: { host: HOST, 'accept-encoding': coding } });
        return res.body.arrayBuffer();
      };
      await expect(whole()).rejects.toThrow();
    }
    expect((await get('/', 'gzip')).encoding).toBe('gzip');
  });

  it('serves the next request after a client left in the middle of a compressed body', async () => {
    const res = await request(`http://127.0.0.1:${String(plane.httpPort)}/big`, { headers: { host: HOST, 'accept-encoding': 'gzip' } });
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    res.body.destroy();
    expect((await get('/', 'gzip')).encoding).toBe('gzip');
  });
});
