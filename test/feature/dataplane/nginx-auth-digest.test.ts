// nginx auth-type digest over real sockets: an htdigest Secret built into a table by the real
// builder, a real data plane and upstream. curl (--digest) is the client that computes the
// response, as a browser would; a few hand-made responses check what curl never sends: a replayed
// nonce count, a nonce of another Secret, too many uses of one nonce (each answered stale=true).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { spawnManaged } from '../../harness/processes.ts';
import { buildAnnotated, type IngressSpec, type SecretSpec } from './annotated-table.ts';
import { startPlane, startUpstream, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

// Written by htdigest (apache2-utils): alice "open sesame" and bob "p:w" in realm "Staff only";
// alice "other" in realm "Elsewhere" (a line the route's realm does not use).
const SECRETS: readonly SecretSpec[] = [
  {
    name: 'digest-auth',
    stringData: {
      auth: [
        'alice:Elsewhere:23b1a945825927240e138a835f5c5a22',
        'alice:Staff only:399fd2f1c4da8ff0e32c019d347cf103',
        'bob:Staff only:645e50d23b7ddfc90f8e6c079f113d02',
      ].join('\n'),
    },
  },
  // The same alice, in a Secret of its own: its routes' nonces are not the other routes' nonces.
  { name: 'digest-map', stringData: { alice: 'Staff only:399fd2f1c4da8ff0e32c019d347cf103' } },
];

const digest = (secret: string, extra: Record<string, string> = {}): Record<string, string> => ({
  [`${N}auth-type`]: 'digest', [`${N}auth-secret`]: secret, [`${N}auth-realm`]: 'Staff only', ...extra,
});

const INGRESSES: readonly IngressSpec[] = [
  { name: 'file', host: 'digest.test', annotations: digest('digest-auth') },
  { name: 'map', host: 'map.test', annotations: digest('digest-map', { [`${N}auth-secret-type`]: 'auth-map' }) },
  { name: 'elsewhere', host: 'elsewhere.test', annotations: digest('digest-auth', { [`${N}auth-realm`]: 'Nowhere' }) },
  { name: 'missing', host: 'missing.test', annotations: digest('nowhere') },
];

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let port = 0;

beforeAll(async () => {
  web = await startUpstream('web');
  plane = await startPlane();
  const built = buildAnnotated(INGRESSES, [web.endpoint], SECRETS);
  expect(built.diagnostics.map((d) => `${d.ingress.name} ${d.reason}`).sort()).toEqual(['elsewhere InvalidAuthSecret', 'missing AuthSecretNotFound']);
  plane.tables.publish(built.table);
  port = plane.httpPort;
});

afterAll(async () => {
  await plane.close();
  await web.close();
});

/** curl with --digest: its status line and body. */
async function curl(host: string, user: string, path = '/private?page=1'): Promise<{ status: string; body: string }> {
  const proc = spawnManaged('curl', ['-s', '--digest', '-u', user, '-H', `Host: ${host}`, '-w', '\n%{http_code}', `http://127.0.0.1:${port}${path}`]);
  let out = '';
  proc.child.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c; });
  expect(await proc.exited).toBe('exit code 0');
  const at = out.lastIndexOf('\n');
  return { status: out.slice(at + 1), body: out.slice(0, at) };
}

async function get(host: string, authorization?: string, path = '/private') {
  const res = await request(`http://127.0.0.1:${port}${path}`, { headers: { host, ...(authorization === undefined ? {} : { authorization }) } });
  await res.body.text();
  return { status: res.statusCode, challenge: String(res.headers['www-authenticate'] ?? '') };
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** The Authorization a client computes for a GET of `uri` with the nonce of a challenge. */
function answer(challenge: string, user: string, password: string, uri: string, nc: string): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const ha1 = md5(`${user}:Staff only:${password}`);
  const response = md5(`${ha1}:${nonce}:${nc}:c0ffee:auth:${md5(`GET:${uri}`)}`);
  return `Digest username="${user}", realm="Staff only", nonce="${nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="c0ffee", response="${response}", algorithm=MD5`;
}

describe('auth-type digest, auth-secret (auth-file), auth-realm', () => {
  it('answers 401 with a Digest challenge for the realm, MD5 and qop auth; the upstream is not asked', async () => {
    const before = web.requests.length;
    const res = await get('digest.test');
    expect(res.status).toBe(401);
    expect(res.challenge).toMatch(/^Digest realm="Staff only", qop="auth", algorithm=MD5, nonce="[0-9a-f]{56}"$/);
    expect(web.requests.length).toBe(before);
  });

  it.each([['alice', 'open sesame'], ['bob', 'p:w']])('lets %s through when curl answers the challenge', async (user, password) => {
    const res = await curl('digest.test', `${user}:${password}`);
    expect(res.status).toBe('200');
    const seen = JSON.parse(res.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/private?page=1');
    expect(seen.headers.authorization).toMatch(new RegExp(`^Digest username="${user}"`));
  });

  it.each([
    ['a wrong password', 'alice:open sesame!'],
    ['the password of another realm', 'alice:other'],
    ['an unknown user', 'mallory:open sesame'],
  ])('answers 401 to %s', async (_what, user) => {
    expect((await curl('digest.test', user)).status).toBe('401');
  });

  it('reads one key per user with auth-secret-type auth-map', async () => {
    expect((await curl('map.test', 'alice:open sesame')).status).toBe('200');
    expect((await curl('map.test', 'bob:p:w')).status).toBe('401');
  });

  it('refuses a response computed for another path', async () => {
    const { challenge } = await get('digest.test');
    expect((await get('digest.test', answer(challenge, 'alice', 'open sesame', '/other', '00000001'))).status).toBe(401);
  });
});

describe('nonces', () => {
  it('answers a replayed nonce count with stale=true, and a new count on the same nonce is let through', async () => {
    const { challenge } = await get('digest.test');
    expect((await get('digest.test', answer(challenge, 'alice', 'open sesame', '/private', '00000001'))).status).toBe(200);
    const replay = await get('digest.test', answer(challenge, 'alice', 'open sesame', '/private', '00000001'));
    expect(replay.status).toBe(401);
    expect(replay.challenge).toMatch(/, stale=true$/);
    expect((await get('digest.test', answer(challenge, 'alice', 'open sesame', '/private', '00000002'))).status).toBe(200);
  });

  it('answers a nonce used more than 20 times with stale=true', async () => {
    const { challenge } = await get('digest.test');
    const over = await get('digest.test', answer(challenge, 'alice', 'open sesame', '/private', '00000015'));
    expect(over.status).toBe(401);
    expect(over.challenge).toMatch(/, stale=true$/);
  });

  it('answers a right response on a nonce another Secret\'s route issued with stale=true, not as a wrong password', async () => {
    const { challenge } = await get('map.test');
    const res = await get('digest.test', answer(challenge, 'alice', 'open sesame', '/private', '00000001'));
    expect(res.status).toBe(401);
    expect(res.challenge).toMatch(/, stale=true$/);
    const wrong = await get('digest.test', answer(challenge, 'alice', 'guess', '/private', '00000001'));
    expect(wrong.challenge).not.toContain('stale');
  });

  it.each([
    ['another scheme', 'Basic YWxpY2U6b3BlbiBzZXNhbWU='],
    ['an unterminated quote', 'Digest username="alice'],
    ['a parameter twice', 'Digest username="alice", username="bob"'],
    ['qop auth-int', 'Digest username="alice", realm="Staff only", nonce="x", uri="/private", qop=auth-int, nc=00000001, cnonce="c", response="00000000000000000000000000000000"'],
  ])('answers 401 without stale to %s', async (_what, authorization) => {
    const res = await get('digest.test', authorization);
    expect(res.status).toBe(401);
    expect(res.challenge).not.toContain('stale');
  });
});

describe('unusable settings', () => {
  it('refuses with 503 when the Secret is missing, credentials or not', async () => {
    expect((await get('missing.test')).status).toBe(503);
    expect((await curl('missing.test', 'alice:open sesame')).status).toBe('503');
  });

  it('refuses with 503 when the Secret has no user of the realm (reported)', async () => {
    expect((await curl('elsewhere.test', 'alice:open sesame')).status).toBe('503');
  });
});
