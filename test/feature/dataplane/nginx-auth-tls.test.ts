// nginx auth-tls-* over real sockets, HTTP/1.1 and HTTP/2: Ingresses built into a table by the real
// builder, RSA-2048 client certificates signed by the test CAs (test/fixtures/tls/README.md). As
// nginx, the handshake asks for a certificate and completes without one; each request is judged:
// a verified certificate gets through with the ssl-client-* headers upstream (those the client
// sent replaced), a missing or failed one gets 400 (or the error page's 302), a subject match-cn
// does not find 403, and a host whose CA Secret is missing 503. With auth-url on the host, the
// authentication service gets the same ssl-client-* headers as the upstream (ingress-nginx's auth
// location sets them too).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as h1request } from 'node:https';
import { connect as h2connect } from 'node:http2';
import type { OutgoingHttpHeaders } from 'node:http';
import { request } from 'undici';
import { buildAnnotated, type IngressSpec, type SecretSpec } from './annotated-table.ts';
import { startPlane, startUpstream, tlsFixture, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';

interface Client { readonly certPem: string; readonly keyPem: string }
interface Answer { readonly status: number; readonly location: string | undefined; readonly text: string; readonly seen: Record<string, string> | undefined }

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
/** auth-url's service: says yes, and keeps what it was sent. */
let authService: TestUpstream;
const clients: Record<string, Client> = {};
let diagnostics: readonly string[] = [];

const auth = (secret: string, more: Record<string, string> = {}) => ({ [`${N}auth-tls-secret`]: secret, ...Object.fromEntries(Object.entries(more).map(([k, v]) => [N + k, v])) });
const site = (name: string, annotations: Record<string, string>): IngressSpec => ({ name, host: `${name}.example.com`, tlsSecret: 'server', annotations });

beforeAll(async () => {
  web = await startUpstream('web');
  authService = await startUpstream('auth');
  const authUrl = `http://127.0.0.1:${String(authService.endpoint.port)}/check`;
  for (const name of ['client-a', 'client-b', 'client-c', 'client-c-revoked', 'client-c-deep']) {
    clients[name] = { certPem: await tlsFixture(`${name}.crt`), keyPem: await tlsFixture(`${name}.key`) };
  }
  // The deep client sends its intermediate with its own certificate, as clients do.
  const deep = clients['client-c-deep'] as Client;
  clients['client-c-deep'] = { ...deep, certPem: deep.certPem + await tlsFixture('client-ca-c-intermediate.crt') };
  const [caA, caC] = [await tlsFixture('client-ca-a.crt'), await tlsFixture('client-ca-c.crt')];
  const secrets: SecretSpec[] = [
    { name: 'server', type: 'kubernetes.io/tls', stringData: { 'tls.crt': await tlsFixture('rsa-2048-a.crt'), 'tls.key': await tlsFixture('rsa-2048-a.key') } },
    { name: 'ca-a', stringData: { 'ca.crt': caA } },
    { name: 'ca-ac', stringData: { 'ca.crt': caA + caC } },
    { name: 'ca-c', stringData: { 'ca.crt': caC } },
    { name: 'ca-c-crl', stringData: { 'ca.crt': caC, 'ca.crl': await tlsFixture('client-ca-c.crl') } },
  ];
  const built = buildAnnotated([
    site('on', auth('ca-a', { 'auth-tls-pass-certificate-to-upstream': 'true' })),
    site('optional', auth('ca-a', { 'auth-tls-verify-client': 'optional' })),
    site('noca', auth('ca-a', { 'auth-tls-verify-client': 'optional_no_ca' })),
    site('off', auth('ca-a', { 'auth-tls-verify-client': 'off' })),
    site('cn', auth('ca-ac', { 'auth-tls-match-cn': 'CN=client-a$' })),
    site('errpage', auth('ca-a', { 'auth-tls-error-page': 'https://errors.example.com/cert.html' })),
    site('crl', auth('ca-c-crl')),
    site('deep1', auth('ca-c')),
    site('deep2', auth('ca-c', { 'auth-tls-verify-depth': '2' })),
    site('missing', auth('nowhere')),
    site('plain', {}),
    site('authurl', auth('ca-a', { 'auth-tls-pass-certificate-to-upstream': 'true', 'auth-url': authUrl })),
    site('authurl-noca', auth('ca-a', { 'auth-tls-verify-client': 'optional_no_ca', 'auth-url': authUrl })),
    site('authurl-plain', { [`${N}auth-url`]: authUrl }),
  ], [web.endpoint], secrets);
  diagnostics = built.diagnostics.map((d) => `${d.ingress.name} ${d.reason}`);
  plane = await startPlane();
  plane.tables.publish(built.table);
}, 60_000);

afterAll(async () => {
  await plane.close();
  await web.close();
  await authService.close();
});

/** One GET over TLS: SNI and Host are `name`.example.com unless `host` says otherwise; the upstream's view of the headers when it answered. */
function ask(name: string, options: { client?: string; h2: boolean; host?: string; headers?: Record<string, string> }): Promise<Answer> {
  const servername = `${name}.example.com`;
  const client = options.client === undefined ? {} : { cert: clients[options.client]?.certPem, key: clients[options.client]?.keyPem };
  const tls = { servername, rejectUnauthorized: false, ...client };
  const host = options.host ?? servername;
  const done = (status: number, location: string | undefined, text: string): Answer => ({
    status, location, text, seen: status === 200 ? (JSON.parse(text) as { headers: Record<string, string> }).headers : undefined,
  });
  return options.h2 ? askH2(tls, host, options.headers ?? {}, done) : askH1(tls, host, options.headers ?? {}, done);
}

type Done = (status: number, location: string | undefined, text: string) => Answer;

function askH1(tls: object, host: string, headers: OutgoingHttpHeaders, done: Done): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = h1request({ host: '127.0.0.1', port: plane.httpsPort, path: '/', headers: { ...headers, host }, agent: false, ...tls }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; });
      res.on('end', () => { resolve(done(res.statusCode ?? 0, res.headers.location, text)); });
    });
    req.on('error', reject);
    req.end();
  });
}

function askH2(tls: object, host: string, headers: OutgoingHttpHeaders, done: Done): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${String(plane.httpsPort)}`, tls);
    session.on('error', reject);
    const stream = session.request({ ...headers, ':path': '/', ':authority': host });
    let status = 0;
    let location: string | undefined;
    let text = '';
    stream.on('response', (h) => {
      status = Number(h[':status']);
      location = typeof h.location === 'string' ? h.location : undefined;
    });
    stream.setEncoding('utf8').on('data', (c: string) => { text += c; });
    stream.on('end', () => {
      session.close();
      resolve(done(status, location, text));
    });
    stream.on('error', reject);
    stream.end();
  });
}

it('builds with the one expected report: the missing Secret', () => {
  expect(diagnostics).toEqual(['missing AuthSecretNotFound']);
});

describe.each([['HTTP/1.1', false], ['HTTP/2', true]])('auth-tls over %s', (_protocol, h2) => {
  it('on: a certificate from the CA gets through, the upstream sees the verdict, the DNs and the escaped PEM', async () => {
    const forged = { 'ssl-client-verify': 'SUCCESS', 'ssl-client-subject-dn': 'CN=admin' };
    const answer = await ask('on', { client: 'client-a', h2, headers: forged });
    expect(answer.status).toBe(200);
    expect(answer.seen).toMatchObject({
      'ssl-client-verify': 'SUCCESS', 'ssl-client-subject-dn': 'CN=client-a', 'ssl-client-issuer-dn': 'CN=bollard-test-client-ca-a',
    });
    const sent = answer.seen?.['ssl-client-cert'] ?? '';
    expect(sent).toMatch(/^-----BEGIN%20CERTIFICATE-----%0A[A-Za-z0-9%]+-----END%20CERTIFICATE-----%0A$/);
    expect(decodeURIComponent(sent)).toBe(clients['client-a']?.certPem);
  });

  it('on: no certificate gets 400, as nginx answers', async () => {
    expect(await ask('on', { h2 })).toMatchObject({ status: 400, text: 'No required SSL certificate was sent\n' });
  });

  it('on: a certificate from another CA gets 400', async () => {
    expect(await ask('on', { client: 'client-b', h2 })).toMatchObject({ status: 400, text: 'The SSL certificate error\n' });
  });

  it('optional: no certificate gets through as NONE; a failed one gets 400', async () => {
    const none = await ask('optional', { h2, headers: { 'ssl-client-subject-dn': 'CN=forged' } });
    expect(none.status).toBe(200);
    expect(none.seen?.['ssl-client-verify']).toBe('NONE');
    expect(none.seen).not.toHaveProperty('ssl-client-subject-dn');
    expect((await ask('optional', { client: 'client-b', h2 })).status).toBe(400);
    expect((await ask('optional', { client: 'client-a', h2 })).seen?.['ssl-client-verify']).toBe('SUCCESS');
  });

  it('optional_no_ca: an unverified certificate gets through with the reason it failed', async () => {
    const answer = await ask('noca', { client: 'client-b', h2 });
    expect(answer.status).toBe(200);
    expect(answer.seen?.['ssl-client-verify']).toMatch(/^FAILED:./);
    expect(answer.seen?.['ssl-client-subject-dn']).toBe('CN=client-b');
  });

  it('off: nothing is asked for, the upstream hears NONE', async () => {
    const answer = await ask('off', { client: 'client-a', h2 });
    expect(answer.status).toBe(200);
    expect(answer.seen?.['ssl-client-verify']).toBe('NONE');
  });

  it('match-cn: a subject it does not find gets 403, the RFC 2253 subject it finds gets through', async () => {
    expect((await ask('cn', { client: 'client-a', h2 })).status).toBe(200);
    expect(await ask('cn', { client: 'client-c', h2 })).toMatchObject({ status: 403, text: 'client certificate unauthorized\n' });
  });

  it('error-page: a failed verification is redirected there (302)', async () => {
    expect(await ask('errpage', { h2 })).toMatchObject({ status: 302, location: 'https://errors.example.com/cert.html' });
  });

  it('ca.crl: a revoked certificate gets 400, another of the same CA gets through', async () => {
    const valid = await ask('crl', { client: 'client-c', h2 });
    expect(valid.status).toBe(200);
    expect(valid.seen?.['ssl-client-subject-dn']).toBe('CN=client-c,O=Bollard Test');
    expect((await ask('crl', { client: 'client-c-revoked', h2 })).status).toBe(400);
  });

  it('verify-depth: a chain one intermediate deep needs depth 2', async () => {
    expect((await ask('deep1', { client: 'client-c-deep', h2 })).status).toBe(400);
    expect((await ask('deep2', { client: 'client-c-deep', h2 })).status).toBe(200);
  });

  it('auth-url: the service gets the verdict, the DNs and the PEM the upstream gets, never the client\'s forgeries', async () => {
    const forged = { 'ssl-client-verify': 'SUCCESS', 'ssl-client-subject-dn': 'CN=admin', 'ssl-client-cert': 'forged' };
    const sent = async (name: string, client?: string): Promise<Record<string, unknown>> => {
      const before = authService.requests.length;
      const answer = await ask(name, { h2, headers: forged, ...(client === undefined ? {} : { client }) });
      expect(answer.status).toBe(200);
      expect(authService.requests.length).toBe(before + 1);
      return { ...authService.requests[before]?.headers };
    };
    const verified = await sent('authurl', 'client-a');
    expect(verified).toMatchObject({ 'ssl-client-verify': 'SUCCESS', 'ssl-client-subject-dn': 'CN=client-a', 'ssl-client-issuer-dn': 'CN=bollard-test-client-ca-a' });
    expect(decodeURIComponent(String(verified['ssl-client-cert']))).toBe(clients['client-a']?.certPem);
    // No certificate under optional_no_ca: NONE, and the client's DN and PEM dropped (no pass-certificate here).
    const none = await sent('authurl-noca');
    expect(none['ssl-client-verify']).toBe('NONE');
    expect(none).not.toHaveProperty('ssl-client-subject-dn');
    expect(none).not.toHaveProperty('ssl-client-cert');
    // Without auth-tls on the host, nginx passes the client's headers as they are, and so does Bollard.
    expect(await sent('authurl-plain')).toMatchObject(forged);
  });

  it('a missing CA Secret refuses the host (503), never serves it unchecked', async () => {
    expect((await ask('missing', { client: 'client-a', h2 })).status).toBe(503);
  });

  it('a request for the host over another host\'s handshake is misdirected (421)', async () => {
    expect((await ask('plain', { client: 'client-a', h2, host: 'on.example.com' })).status).toBe(421);
  });
});

describe('plain HTTP', () => {
  it('is redirected to https before any certificate is asked for', async () => {
    const res = await request(`http://127.0.0.1:${String(plane.httpPort)}/`, { headers: { host: 'on.example.com' } });
    await res.body.dump();
    expect(res.statusCode).toBe(308);
  });

  it('an ACME challenge path (not redirected) carries none of the client\'s ssl-client-* headers, to the auth service or upstream', async () => {
    const forged = { 'ssl-client-verify': 'SUCCESS', 'ssl-client-subject-dn': 'CN=admin', 'ssl-client-issuer-dn': 'CN=ca', 'ssl-client-cert': 'forged' };
    const before = authService.requests.length;
    const res = await request(`http://127.0.0.1:${String(plane.httpPort)}/.well-known/acme-challenge/token`, { headers: { host: 'authurl.example.com', ...forged } });
    const upstreamSaw = (await res.body.json() as { headers: Record<string, string> }).headers;
    expect(res.statusCode).toBe(200);
    const serviceSaw = authService.requests[before]?.headers ?? {};
    expect(authService.requests.length).toBe(before + 1);
    for (const name of Object.keys(forged)) {
      expect({ name, service: serviceSaw[name], upstream: upstreamSaw[name] }).toEqual({ name, service: undefined, upstream: undefined });
    }
  });
});
