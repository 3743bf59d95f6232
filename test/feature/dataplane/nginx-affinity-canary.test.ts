// nginx session-cookie-domain, session-cookie-conditional-samesite-none and affinity-canary-behavior
// over real sockets (HTTP/1.1 and HTTP/2): the cookie's Domain, SameSite=None left out for the user
// agents ingress-nginx leaves it out for, and a session the canary served staying with the canary
// (sticky) or not being made at all (legacy), while a session with the main backend stays there
// whatever the canary's rules say.
import { connect, type ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { parseFixture } from '../../support/routing/fixture-snapshot.ts';
import { buildFixture } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';
import { shopIngress, shopService } from './shop-objects.ts';

const N = 'nginx.ingress.kubernetes.io/';
const OLD_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/62.0.3202.94 Safari/537.36';
const NEW_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IOS_12 = 'Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1';

let plane: Awaited<ReturnType<typeof startPlane>>;
let stable: TestUpstream;
let canary: TestUpstream;
let base = '';

interface Reached { readonly upstream: string; readonly setCookie: string | undefined }

async function get(host: string, headers: Record<string, string> = {}): Promise<Reached> {
  const res = await request(`${base}/`, { headers: { host, ...headers } });
  await res.body.dump();
  expect(res.statusCode).toBe(200);
  const set = res.headers['set-cookie'];
  return { upstream: String(res.headers['x-upstream']), setCookie: Array.isArray(set) ? set.join('\n') : set };
}

const cookieOf = (setCookie: string | undefined): string => /^([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';

beforeAll(async () => {
  stable = await startUpstream('stable');
  canary = await startUpstream('canary');
  plane = await startPlane({ h2c: true });
  const web = shopService('web', stable.endpoint.port);
  const v2 = shopService('web-v2', canary.endpoint.port);
  const affinity = { [`${N}affinity`]: 'cookie', [`${N}session-cookie-name`]: 'route' };
  const rules = { [`${N}canary`]: 'true', [`${N}canary-by-header`]: 'X-Canary', [`${N}canary-weight`]: '0' };
  const fixture = parseFixture({
    ingresses: [
      shopIngress('scoped', 'scoped.test', 'web', {
        ...affinity, [`${N}session-cookie-domain`]: '.Example.com', [`${N}session-cookie-samesite`]: 'None', [`${N}session-cookie-conditional-samesite-none`]: 'true',
      }),
      shopIngress('always-none', 'always-none.test', 'web', { ...affinity, [`${N}session-cookie-samesite`]: 'None' }),
      shopIngress('bad-domain', 'bad-domain.test', 'web', { ...affinity, [`${N}session-cookie-domain`]: 'not a domain' }),
      shopIngress('sticky', 'sticky.test', 'web', affinity),
      shopIngress('sticky-canary', 'sticky.test', 'web-v2', rules),
      shopIngress('legacy', 'legacy.test', 'web', affinity),
      shopIngress('legacy-canary', 'legacy.test', 'web-v2', { ...rules, [`${N}affinity-canary-behavior`]: 'legacy' }),
      shopIngress('odd', 'odd.test', 'web', affinity),
      shopIngress('odd-canary', 'odd.test', 'web-v2', { ...rules, [`${N}affinity-canary-behavior`]: 'sometimes' }),
    ],
    services: [web.service, v2.service],
    endpointSlices: [web.slice, v2.slice],
    requests: [], diagnostics: [], served: [],
  });
  const built = buildFixture(fixture);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.message}`)).toEqual([
    'bad-domain annotation nginx.ingress.kubernetes.io/session-cookie-domain: "not a domain" is not valid; use a domain such as example.com. It is ignored',
    'odd-canary annotation nginx.ingress.kubernetes.io/affinity-canary-behavior: "sometimes" is not valid; use "sticky" or "legacy". It is ignored',
  ]);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await stable.close();
  await canary.close();
});

describe('session-cookie-domain, session-cookie-conditional-samesite-none', () => {
  it('writes the Domain, and SameSite=None for a browser that takes it', async () => {
    const { setCookie } = await get('scoped.test', { 'user-agent': NEW_CHROME });
    expect(setCookie).toMatch(/^route=[0-9a-f]{8}; Path=\/; Domain=\.example\.com; HttpOnly; SameSite=None$/);
  });

  it('leaves SameSite=None out for browsers that reject it (Chrome 51-66, iOS 12), and sends it without a User-Agent', async () => {
    expect((await get('scoped.test', { 'user-agent': OLD_CHROME })).setCookie).not.toContain('SameSite');
    expect((await get('scoped.test', { 'user-agent': IOS_12 })).setCookie).not.toContain('SameSite');
    expect((await get('scoped.test')).setCookie).toContain('SameSite=None');
  });

  it('without conditional-samesite-none every browser gets SameSite=None; an invalid domain is left out', async () => {
    expect((await get('always-none.test', { 'user-agent': OLD_CHROME })).setCookie).toContain('SameSite=None');
    expect((await get('bad-domain.test')).setCookie).not.toContain('Domain');
  });

  it('over HTTP/2 too', async () => {
    const tlsLess: ClientHttp2Session = connect(`http://127.0.0.1:${plane.httpPort}`);
    try {
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const stream = tlsLess.request({ ':path': '/', ':authority': 'scoped.test', 'user-agent': OLD_CHROME });
        stream.on('response', (h) => { stream.resume(); stream.on('end', () => { resolve(h); }); }).on('error', reject);
        stream.end();
      });
      expect(String(headers['set-cookie'])).toMatch(/Domain=\.example\.com; HttpOnly$/);
    } finally {
      tlsLess.close();
    }
  });
});

describe('affinity-canary-behavior', () => {
  it('sticky (the default): a session the canary served stays with the canary without the header', async () => {
    const first = await get('sticky.test', { 'x-canary': 'always' });
    expect(first.upstream).toBe('canary');
    expect(cookieOf(first.setCookie)).toMatch(/^route=[0-9a-f]{8}-c$/);
    for (let i = 0; i < 5; i++) expect((await get('sticky.test', { cookie: cookieOf(first.setCookie) })).upstream).toBe('canary');
  });

  it('a session with the main backend stays there even when the header asks for the canary', async () => {
    const first = await get('sticky.test');
    expect(first.upstream).toBe('stable');
    expect(cookieOf(first.setCookie)).toMatch(/^route=[0-9a-f]{8}$/);
    const again = await get('sticky.test', { cookie: cookieOf(first.setCookie), 'x-canary': 'always' });
    expect(again).toEqual({ upstream: 'stable', setCookie: undefined });
  });

  it('legacy: the canary sets no cookie, a canary cookie is not followed, and the main backend keeps its sessions', async () => {
    const toCanary = await get('legacy.test', { 'x-canary': 'always' });
    expect(toCanary).toEqual({ upstream: 'canary', setCookie: undefined });
    const first = await get('legacy.test');
    expect(first.upstream).toBe('stable');
    const main = cookieOf(first.setCookie);
    expect((await get('legacy.test', { cookie: main, 'x-canary': 'always' })).upstream).toBe('stable');
    const canaryCookie = `${main}-c`;
    const followed = await get('legacy.test', { cookie: canaryCookie });
    expect(followed.upstream).toBe('stable');
    expect(cookieOf(followed.setCookie)).toMatch(/^route=[0-9a-f]{8}$/);
  });

  it('an invalid value means sticky', async () => {
    const first = await get('odd.test', { 'x-canary': 'always' });
    expect((await get('odd.test', { cookie: cookieOf(first.setCookie) })).upstream).toBe('canary');
  });
});
