// nginx satisfy over real sockets: with `any`, a request passes when the address allow list or the
// authentication (Basic, or an authentication service) lets it in, and the service is not asked when
// the address already did; when neither does, the 401 (or sign-in redirect) wins over the 403, and a
// failed service is 500 as in nginx. With `all` (the default, and for an invalid value) every check
// must pass. The test client is 127.0.0.1, so 10.0.0.0/8 leaves it out and 127.0.0.1 lets it in.
import { connect } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated, type IngressSpec, type SecretSpec } from './annotated-table.ts';
import { deadEndpoint, startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
// htpasswd -m: frank's password is empty.
const SECRETS: readonly SecretSpec[] = [{ name: 'basic-auth', stringData: { auth: 'frank:$apr1$ZUWp3DnQ$kXDLvnyUrgLkbZ9qTyI.30' } }];
const FRANK = `Basic ${Buffer.from('frank:').toString('base64')}`;

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let auth: TestUpstream;
let base = '';

function authService(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(req.headers['x-token'] === 'ok' ? 200 : 401, { 'www-authenticate': 'Bearer' }).end();
}

async function get(host: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}/`, { headers: { host, ...headers } });
  await res.body.dump();
  return { status: res.statusCode, headers: res.headers };
}

beforeAll(async () => {
  web = await startUpstream('web');
  auth = await startUpstream('auth', authService);
  plane = await startPlane({ h2c: true });
  const dead = await deadEndpoint();
  const basic = { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'basic-auth' };
  const service = { [`${N}auth-url`]: `http://127.0.0.1:${auth.endpoint.port}/verify` };
  const outside = { [`${N}whitelist-source-range`]: '10.0.0.0/8' };
  const inside = { [`${N}whitelist-source-range`]: '127.0.0.1' };
  const ingresses: IngressSpec[] = [
    { name: 'any-outside', host: 'any-outside.test', annotations: { ...basic, ...outside, [`${N}satisfy`]: 'any' } },
    { name: 'any-inside', host: 'any-inside.test', annotations: { ...basic, ...inside, [`${N}satisfy`]: 'any' } },
    { name: 'all-outside', host: 'all-outside.test', annotations: { ...basic, ...outside } },
    { name: 'all-inside', host: 'all-inside.test', annotations: { ...basic, ...inside, [`${N}satisfy`]: 'all' } },
    { name: 'odd', host: 'odd.test', annotations: { ...basic, ...outside, [`${N}satisfy`]: 'either' } },
    { name: 'svc-inside', host: 'svc-inside.test', annotations: { ...service, ...inside, [`${N}satisfy`]: 'any' } },
    { name: 'svc-outside', host: 'svc-outside.test', annotations: { ...service, ...outside, [`${N}satisfy`]: 'any', [`${N}auth-signin`]: 'https://login.test/' } },
    { name: 'svc-down', host: 'svc-down.test', annotations: { [`${N}auth-url`]: `http://127.0.0.1:${dead.port}/`, ...outside, [`${N}satisfy`]: 'any' } },
    { name: 'deny-other', host: 'deny-other.test', annotations: { ...basic, [`${N}denylist-source-range`]: '10.0.0.0/8', [`${N}satisfy`]: 'any' } },
    { name: 'deny-me', host: 'deny-me.test', annotations: { ...basic, [`${N}denylist-source-range`]: '127.0.0.1', [`${N}satisfy`]: 'any' } },
    { name: 'no-secret', host: 'no-secret.test', annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'nowhere', ...inside, [`${N}satisfy`]: 'any' } },
  ];
  const built = buildAnnotated(ingresses, [web.endpoint], SECRETS);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.reason}`)).toEqual(['no-secret AuthSecretNotFound', 'odd InvalidAnnotation']);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
  await auth.close();
});

describe('satisfy any', () => {
  it('lets an address outside the allow list in with valid credentials, and challenges it without', async () => {
    expect((await get('any-outside.test', { authorization: FRANK })).status).toBe(200);
    const refused = await get('any-outside.test');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="", charset="UTF-8"');
  });

  it('lets an address in the allow list in without credentials', async () => {
    expect((await get('any-inside.test')).status).toBe(200);
  });

  it('a deny list alone lets nobody in by itself: an address it does not deny still needs credentials', async () => {
    expect((await get('deny-other.test')).status).toBe(401);
    expect((await get('deny-other.test', { authorization: FRANK })).status).toBe(200);
  });

  it('a denied address with valid credentials is let in, as nginx\'s allow/deny rules are one check among the alternatives', async () => {
    expect((await get('deny-me.test')).status).toBe(401);
    expect((await get('deny-me.test', { authorization: FRANK })).status).toBe(200);
  });

  it('does not ask the authentication service when the address already let the request in', async () => {
    const before = auth.requests.length;
    expect((await get('svc-inside.test')).status).toBe(200);
    expect(auth.requests.length).toBe(before);
  });

  it('asks the service for an address outside the list: its yes lets in, its no becomes the sign-in redirect', async () => {
    expect((await get('svc-outside.test', { 'x-token': 'ok' })).status).toBe(200);
    const refused = await get('svc-outside.test');
    expect(refused.status).toBe(302);
    expect(refused.headers.location).toBe(`https://login.test/?rd=${encodeURIComponent('http://svc-outside.test/')}`);
  });

  it('answers 500 when the service fails, as nginx', async () => {
    expect((await get('svc-down.test')).status).toBe(500);
  });

  it('still refuses (503) when the auth Secret is missing, even for an allowed address', async () => {
    expect((await get('no-secret.test')).status).toBe(503);
  });

  it('over HTTP/2 too', async () => {
    const session = connect(base);
    try {
      const status = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/', ':authority': 'any-outside.test', ...headers });
        stream.on('response', (h) => { stream.resume(); stream.on('end', () => { resolve(Number(h[':status'])); }); }).on('error', reject);
        stream.end();
      });
      expect(await status({ authorization: FRANK })).toBe(200);
      expect(await status({})).toBe(401);
    } finally {
      session.close();
    }
  });
});

describe('satisfy all (the default; an invalid value too)', () => {
  it('refuses an address outside the list whatever its credentials', async () => {
    expect((await get('all-outside.test', { authorization: FRANK })).status).toBe(403);
    expect((await get('odd.test', { authorization: FRANK })).status).toBe(403);
  });

  it('asks an allowed address for credentials as well', async () => {
    expect((await get('all-inside.test')).status).toBe(401);
    expect((await get('all-inside.test', { authorization: FRANK })).status).toBe(200);
  });
});
