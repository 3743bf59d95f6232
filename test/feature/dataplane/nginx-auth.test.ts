// nginx auth-type basic over real sockets: htpasswd Secrets (bcrypt, apr1-MD5, SHA-1, auth-file and
// auth-map) built into a table by the real builder, a real data plane and upstream. What must pass,
// what must get 401 with the challenge, and a missing Secret that must refuse (503), never serve.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { buildAnnotated, type IngressSpec, type SecretSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

// Written by htpasswd (apache2-utils): -m (apr1), -s (SHA-1), -B -C 5 (bcrypt).
const SECRETS: readonly SecretSpec[] = [
  {
    name: 'basic-auth',
    stringData: {
      auth: [
        'alice:$apr1$CcjgBgt.$zcjrj/FKOM7QrJ/Hx0/oK/',
        'carol:{SHA}QM3C2Moj9uCnoAhocWTVSuFq7Tc=',
        'dave:$2y$05$PZ/Yimu4q5rHs9RgBt3.WeTHkm.tI96Mogq9CS4HT71iRPdJmFgQm',
        'frank:$apr1$ZUWp3DnQ$kXDLvnyUrgLkbZ9qTyI.30',
      ].join('\n'),
    },
  },
  { name: 'basic-map', stringData: { erin: '$apr1$w/5kirDI$eX0rmNY1OpIENH27cyNn./' } },
];

const INGRESSES: readonly IngressSpec[] = [
  { name: 'file', host: 'file.test', annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'basic-auth', [`${N}auth-realm`]: 'Staff only' } },
  { name: 'map', host: 'map.test', annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'basic-map', [`${N}auth-secret-type`]: 'auth-map' } },
  { name: 'missing', host: 'missing.test', annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'nowhere' } },
  {
    name: 'redirect', host: 'redirect.test',
    annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'basic-auth', [`${N}force-ssl-redirect`]: 'true' },
  },
  {
    name: 'cors', host: 'cors.test',
    annotations: { [`${N}auth-type`]: 'basic', [`${N}auth-secret`]: 'basic-auth', [`${N}enable-cors`]: 'true' },
  },
];

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let base = '';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function get(host: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await request(`${base}/private`, { method: method as 'GET', headers: { host, ...headers } });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane();
  const built = buildAnnotated(INGRESSES, [web.endpoint], SECRETS);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.reason}`)).toEqual(['missing AuthSecretNotFound']);
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

describe('auth-type basic, auth-secret (auth-file), auth-realm', () => {
  it('answers 401 with the challenge of the realm when no credentials are sent; the upstream is not asked', async () => {
    const before = web.requests.length;
    const res = await get('file.test');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Staff only", charset="UTF-8"');
    expect(web.requests.length).toBe(before);
  });

  it.each([
    ['apr1-MD5', 'alice', 'wonder land'],
    ['SHA-1', 'carol', 'secret:colon'],
    ['bcrypt', 'dave', 'hunter2'],
    ['apr1-MD5 of an empty password', 'frank', ''],
  ])('lets a %s user with the right password through, Authorization passed on', async (_scheme, user, password) => {
    const res = await get('file.test', { authorization: basic(user, password) });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as { headers: Record<string, string> }).headers.authorization).toBe(basic(user, password));
  });

  it('lets a bcrypt user through again (the remembered check) and still refuses a wrong password after it', async () => {
    expect((await get('file.test', { authorization: basic('dave', 'hunter2') })).status).toBe(200);
    expect((await get('file.test', { authorization: basic('dave', 'hunter3') })).status).toBe(401);
  });

  it.each([
    ['a wrong password', basic('alice', 'wonderland')],
    ['an unknown user', basic('mallory', 'wonder land')],
    ['a user only in another Secret', basic('erin', 'a-very-long-password-that-is-longer-than-sixteen-chars')],
    ['another scheme', 'Bearer abc'],
    ['no colon', `Basic ${Buffer.from('alice').toString('base64')}`],
    ['broken base64', 'Basic !!!'],
  ])('answers 401 to %s', async (_what, authorization) => {
    expect((await get('file.test', { authorization })).status).toBe(401);
  });
});

describe('auth-secret-type auth-map', () => {
  it('reads one key per user', async () => {
    expect((await get('map.test', { authorization: basic('erin', 'a-very-long-password-that-is-longer-than-sixteen-chars') })).status).toBe(200);
    expect((await get('map.test', { authorization: basic('alice', 'wonder land') })).status).toBe(401);
  });
});

describe('a missing auth Secret', () => {
  it('refuses with 503 even with credentials: the route never serves unauthenticated', async () => {
    const before = web.requests.length;
    expect((await get('missing.test')).status).toBe(503);
    expect((await get('missing.test', { authorization: basic('alice', 'wonder land') })).status).toBe(503);
    expect(web.requests.length).toBe(before);
  });
});

describe('auth with an https redirect', () => {
  it('redirects plain HTTP to https before asking for credentials, as nginx does: none travel in clear', async () => {
    const res = await get('redirect.test');
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe('https://redirect.test/private');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });
});

describe('auth with enable-cors', () => {
  it('answers the preflight without credentials, as nginx does, and the request itself only with them', async () => {
    const preflight = await get('cors.test', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' }, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect((await get('cors.test', { origin: 'https://app.example.com' })).status).toBe(401);
    expect((await get('cors.test', { origin: 'https://app.example.com', authorization: basic('carol', 'secret:colon') })).status).toBe(200);
  });
});
