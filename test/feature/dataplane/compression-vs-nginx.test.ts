// --use-gzip and --enable-brotli side by side with the Debian nginx configured as ingress-nginx's
// use-gzip (gzip_comp_level 1, gzip_http_version 1.1, gzip_min_length 256, its gzip_types,
// gzip_proxied any, gzip_vary on) and enable-brotli (Debian's ngx_brotli filter module, brotli_comp_level 4,
// brotli_min_length 20, its brotli_types) write them, both in front of the same upstream: for each
// answer and request, whether and how the body is compressed, whether Vary names
// Accept-Encoding, and the ETag must agree, and the body must decode to the upstream's. Bollard
// writes Vary once where nginx adds a second line; the comparison is of the names Vary lists.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startNginxReference, type NginxReference } from './nginx-reference.ts';
import { hostRoutes, route, startPlane, table, upstream } from './support.ts';
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import type { CompressionSettings } from '../../../src/dataplane/compression/choose.ts';

const GZIP_TYPES = 'application/atom+xml application/javascript application/x-javascript application/json application/rss+xml application/vnd.ms-fontobject '
  + 'application/x-font-ttf application/x-web-app-manifest+json application/xhtml+xml application/xml font/opentype image/svg+xml image/x-icon text/css '
  + 'text/javascript text/plain text/x-component';
const BROTLI_TYPES = `application/xml+rss ${GZIP_TYPES}`;
// ingress-nginx's proxy-buffering default is off: nginx then streams, and its filters flush each chunk.
const NGINX_GZIP = ['proxy_buffering off;', 'gzip on;', 'gzip_comp_level 1;', 'gzip_http_version 1.1;', 'gzip_min_length 256;', `gzip_types ${GZIP_TYPES};`, 'gzip_proxied any;', 'gzip_vary on;'];
const NGINX_BROTLI = ['brotli on;', 'brotli_comp_level 4;', 'brotli_min_length 20;', `brotli_types ${BROTLI_TYPES};`];
const BROTLI_MODULE = 'load_module /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so;';
const GZIP = { level: 1, minLength: 256, types: new Set(GZIP_TYPES.split(' ')) };
const BROTLI = { level: 4, minLength: 20, types: new Set(BROTLI_TYPES.split(' ')) };
const HOST = 'shop.example.com';
const LINE = 'All work and no play makes Jack a dull boy. ';

interface Pair {
  readonly nginx: NginxReference;
  readonly plane: Awaited<ReturnType<typeof startPlane>>;
}

let origin: Server;
let gzipOnly: Pair;
let both: Pair;

/** The upstream answers as the query says: status, type, length, chunked, encoding, etag, vary. */
function answer(url: URL): { status: number; headers: Record<string, string>; body: Buffer; chunked: boolean } {
  const q = url.searchParams;
  const length = Number(q.get('len') ?? '1000');
  const body = Buffer.from(LINE.repeat(Math.ceil(length / LINE.length)).slice(0, length));
  const headers: Record<string, string> = {};
  for (const [param, name] of [['type', 'content-type'], ['encoding', 'content-encoding'], ['etag', 'etag'], ['vary', 'vary'], ['ranges', 'accept-ranges']] as const) {
    const value = q.get(param);
    if (value !== null) headers[name] = value;
  }
  return { status: Number(q.get('status') ?? '200'), headers, body, chunked: q.get('chunked') === '1' };
}

async function startPair(endpoint: { host: string; port: number }, nginxHttp: readonly string[], nginxMain: readonly string[], compression: CompressionSettings): Promise<Pair> {
  const [nginx, plane] = await Promise.all([
    startNginxReference([{ pathType: 'Prefix', path: '/', endpoint }], nginxHttp, nginxMain),
    startPlane({ options: { ...defaultDataPlaneOptions, compression } }),
  ]);
  plane.tables.publish(table({ [HOST]: hostRoutes(route('/', upstream('origin', [endpoint]))) }));
  return { nginx, plane };
}

beforeAll(async () => {
  origin = createServer((req, res) => {
    const a = answer(new URL(req.url ?? '/', 'http://origin'));
    res.writeHead(a.status, a.chunked ? a.headers : { ...a.headers, 'content-length': String(a.body.length) });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const endpoint = { host: '127.0.0.1', port: (origin.address() as AddressInfo).port };
  [gzipOnly, both] = await Promise.all([
    startPair(endpoint, NGINX_GZIP, [], { gzip: GZIP }),
    startPair(endpoint, [...NGINX_GZIP, ...NGINX_BROTLI], [BROTLI_MODULE], { gzip: GZIP, brotli: BROTLI }),
  ]);
});

afterAll(async () => {
  await Promise.all([gzipOnly.nginx.stop(), gzipOnly.plane.close(), both.nginx.stop(), both.plane.close()]);
  await new Promise<void>((resolve) => { origin.close(() => { resolve(); }); });
});

interface Seen {
  readonly status: number;
  readonly encoding: string | null;
  readonly varyAcceptEncoding: boolean;
  readonly etag: string | null;
  readonly contentLength: boolean;
  readonly acceptRanges: boolean;
  /** The body, decoded when it came compressed. */
  readonly body: string;
}

/** One request on its own connection (Connection: close), its answer read to the end and decoded. */
function exchange(port: number, method: string, path: string, version: '1.0' | '1.1', acceptEncoding: string | undefined): Promise<Seen> {
  const head = [`${method} ${path} HTTP/${version}`, `Host: ${HOST}`, 'Connection: close', ...(acceptEncoding === undefined ? [] : [`Accept-Encoding: ${acceptEncoding}`]), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c)).on('error', reject).on('end', () => {
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.write(head);
  });
}

function parse(raw: Buffer): Seen {
  const end = raw.indexOf('\r\n\r\n');
  const lines = raw.toString('latin1', 0, end).split('\r\n');
  const fields = lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const);
  const all = (name: string): string[] => fields.filter(([n]) => n === name).map(([, v]) => v);
  let body = raw.subarray(end + 4);
  if (all('transfer-encoding').includes('chunked')) body = unchunk(body);
  const encoding = all('content-encoding')[0] ?? null;
  const vary = all('vary').flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase());
  return {
    status: Number(lines[0]?.split(' ')[1]), encoding, varyAcceptEncoding: vary.includes('accept-encoding'),
    etag: all('etag')[0] ?? null, contentLength: all('content-length').length > 0, acceptRanges: all('accept-ranges').length > 0,
    body: decode(encoding, body).toString('latin1'),
  };
}

function decode(encoding: string | null, body: Buffer): Buffer {
  if (body.length === 0) return body;
  if (encoding === 'gzip') return gunzipSync(body);
  return encoding === 'br' ? brotliDecompressSync(body) : body;
}

function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = parseInt(body.toString('latin1', at, lineEnd), 16);
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

const q = (params: Record<string, string>): string => `/r?${new URLSearchParams(params).toString()}`;
const TEXT = { type: 'text/plain' };

// [what, method, path, HTTP version, Accept-Encoding]
const CASES: readonly (readonly [string, string, string, '1.0' | '1.1', string | undefined])[] = [
  ['text, long enough, gzip accepted', 'GET', q(TEXT), '1.1', 'gzip'],
  ['text under the minimum length', 'GET', q({ ...TEXT, len: '100' }), '1.1', 'gzip'],
  ['a body of 2 MB, in many chunks', 'GET', q({ ...TEXT, len: String(2 * 1024 * 1024) }), '1.1', 'gzip'],
  ['text exactly at the minimum length', 'GET', q({ ...TEXT, len: '256' }), '1.1', 'gzip'],
  ['short text of unknown length (chunked)', 'GET', q({ ...TEXT, len: '100', chunked: '1' }), '1.1', 'gzip'],
  ['a type not listed', 'GET', q({ type: 'image/png' }), '1.1', 'gzip'],
  ['no Content-Type', 'GET', q({}), '1.1', 'gzip'],
  ['text/html, never listed but always compressed', 'GET', q({ type: 'text/html; charset=utf-8' }), '1.1', 'gzip'],
  ['a listed type with parameters and capitals', 'GET', q({ type: 'Application/JSON; charset=utf-8' }), '1.1', 'gzip'],
  ['status 201', 'GET', q({ ...TEXT, status: '201' }), '1.1', 'gzip'],
  ['status 403', 'GET', q({ ...TEXT, status: '403' }), '1.1', 'gzip'],
  ['status 404', 'GET', q({ ...TEXT, status: '404' }), '1.1', 'gzip'],
  ['status 500', 'GET', q({ ...TEXT, status: '500' }), '1.1', 'gzip'],
  ['already encoded by the upstream', 'GET', q({ ...TEXT, encoding: 'compress' }), '1.1', 'gzip'],
  ['no Accept-Encoding', 'GET', q(TEXT), '1.1', undefined],
  ['gzip refused with q=0', 'GET', q(TEXT), '1.1', 'gzip;q=0'],
  ['gzip refused with q=0.000', 'GET', q(TEXT), '1.1', 'deflate, gzip;q=0.000'],
  ['gzip with q=0.001', 'GET', q(TEXT), '1.1', 'gzip;q=0.001'],
  ['gzip among others, any case', 'GET', q(TEXT), '1.1', 'deflate, GZIP, br'],
  ['x-gzip only', 'GET', q(TEXT), '1.1', 'x-gzip'],
  ['a wildcard only', 'GET', q(TEXT), '1.1', '*'],
  ['an HTTP/1.0 client', 'GET', q(TEXT), '1.0', 'gzip'],
  ['HEAD', 'HEAD', q(TEXT), '1.1', 'gzip'],
  ['a strong ETag', 'GET', q({ ...TEXT, etag: '"v1"' }), '1.1', 'gzip'],
  ['a weak ETag', 'GET', q({ ...TEXT, etag: 'W/"v1"' }), '1.1', 'gzip'],
  ['a strong ETag, not compressed for this client', 'GET', q({ ...TEXT, etag: '"v1"' }), '1.1', undefined],
  ['the upstream\'s own Vary', 'GET', q({ ...TEXT, vary: 'Cookie' }), '1.1', 'gzip'],
  ['the upstream offers byte ranges', 'GET', q({ ...TEXT, ranges: 'bytes' }), '1.1', 'gzip'],
  ['the upstream offers byte ranges, not compressed for this client', 'GET', q({ ...TEXT, ranges: 'bytes' }), '1.1', undefined],
];

async function sideBySide(pair: Pair, method: string, path: string, version: '1.0' | '1.1', acceptEncoding: string | undefined): Promise<void> {
  const [theirs, ours] = await Promise.all([exchange(pair.nginx.port, method, path, version, acceptEncoding), exchange(pair.plane.httpPort, method, path, version, acceptEncoding)]);
  expect(ours).toEqual(theirs);
  if (method === 'GET' && theirs.status < 300) expect(ours.body).toBe(answer(new URL(path, 'http://origin')).body.toString('latin1'));
}

describe('gzip alone, Bollard against nginx', () => {
  it.each(CASES)('%s', async (_what, method, path, version, acceptEncoding) => {
    await sideBySide(gzipOnly, method, path, version, acceptEncoding);
  });

  it('compresses where it should (the table is not all "no")', async () => {
    const seen = await exchange(gzipOnly.plane.httpPort, 'GET', q(TEXT), '1.1', 'gzip');
    expect(seen).toMatchObject({ encoding: 'gzip', varyAcceptEncoding: true, contentLength: false });
  });
});

// The same answers to clients that take Brotli too, or only: which codec, and Brotli's own minimum length and types.
const BROTLI_CASES: readonly (readonly [string, string, string, '1.0' | '1.1', string | undefined])[] = [
  ...CASES.map(([what, method, path, version, ae]) => [`${what}, br too`, method, path, version, ae === undefined ? 'br' : `${ae}, br`] as const),
  ['br only', 'GET', q(TEXT), '1.1', 'br'],
  ['br refused, gzip taken', 'GET', q(TEXT), '1.1', 'br;q=0, gzip'],
  ['gzip refused, br taken', 'GET', q(TEXT), '1.1', 'gzip;q=0, br'],
  ['100 bytes: over Brotli\'s minimum, under gzip\'s', 'GET', q({ ...TEXT, len: '100' }), '1.1', 'gzip, br'],
  ['100 bytes to a gzip-only client', 'GET', q({ ...TEXT, len: '100' }), '1.1', 'gzip'],
  ['10 bytes, under both', 'GET', q({ ...TEXT, len: '10' }), '1.1', 'gzip, br'],
  ['a type only Brotli lists', 'GET', q({ type: 'application/xml+rss' }), '1.1', 'gzip, br'],
  ['a type only Brotli lists, to a gzip-only client', 'GET', q({ type: 'application/xml+rss' }), '1.1', 'gzip'],
];

describe('gzip and Brotli, Bollard against nginx with ngx_brotli', () => {
  it.each(BROTLI_CASES)('%s', async (_what, method, path, version, acceptEncoding) => {
    await sideBySide(both, method, path, version, acceptEncoding);
  });

  it('uses Brotli where it should (the table is not all gzip)', async () => {
    expect(await exchange(both.plane.httpPort, 'GET', q(TEXT), '1.1', 'gzip, br')).toMatchObject({ encoding: 'br' });
  });
});
