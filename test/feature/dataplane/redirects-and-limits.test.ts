// Local answers that need no upstream: HTTPS redirect (never for ACME HTTP-01), the challenge
// responder, and the request body limit (by Content-Length and while streaming).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let base = '';

beforeAll(async () => {
  web = await startUpstream('web');
  const challenges = new Map([['tok-1', 'tok-1.keyauth']]);
  plane = await startPlane({ httpsRedirectPort: 8443 }, { challenges: (token) => challenges.get(token) });
  const u = upstream('web', [web.endpoint]);
  plane.tables.publish(table({
    'secure.test': hostRoutes(route('/', u, { sslRedirect: true })),
    'small.test': hostRoutes(route('/', u, { maxBodyBytes: 1024 })),
  }));
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

describe('https redirect', () => {
  it('answers 308 with the https location, keeping path and query', async () => {
    const res = await request(`${base}/a/b?x=1`, { headers: { host: 'secure.test' } });
    await res.body.dump();
    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe('https://secure.test:8443/a/b?x=1');
  });

  it('never redirects an ACME HTTP-01 challenge, and answers a pending one itself', async () => {
    const res = await request(`${base}/.well-known/acme-challenge/tok-1`, { headers: { host: 'secure.test' } });
    expect([res.statusCode, await res.body.text()]).toEqual([200, 'tok-1.keyauth\n']);
    const unknown = await request(`${base}/.well-known/acme-challenge/other`, { headers: { host: 'secure.test' } });
    await unknown.body.dump();
    expect(unknown.statusCode).toBe(200);
    expect(web.requests.at(-1)?.url).toBe('/.well-known/acme-challenge/other');
  });
});

describe('body size limit', () => {
  it('refuses a declared Content-Length over the limit with 413 without contacting the upstream', async () => {
    const before = web.requests.length;
    const res = await request(`${base}/`, { method: 'POST', headers: { host: 'small.test' }, body: 'x'.repeat(2048) });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
    expect(web.requests.length).toBe(before);
  });

  it('cuts a chunked body that grows past the limit with 413', async () => {
    const res = await request(`${base}/`, { method: 'POST', headers: { host: 'small.test' }, body: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]) });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
  });

  it('lets a body within the limit through', async () => {
    const res = await request(`${base}/`, { method: 'POST', headers: { host: 'small.test' }, body: 'y'.repeat(1000) });
    expect((JSON.parse(await res.body.text()) as { body: string }).body.length).toBe(1000);
  });
});
