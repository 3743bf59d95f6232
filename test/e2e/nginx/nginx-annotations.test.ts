// ingress-nginx annotations end to end: real kube-apiserver, one real Bollard process watching
// this spec's namespace, real backends in a network namespace, and a forward-auth service in this
// process. Basic auth (htpasswd Secret), digest auth (htdigest Secret), client certificates (auth-tls,
// over HTTPS), custom-headers (ConfigMap), forward auth (auth-url), allow and deny lists, CORS
// preflights and canaries, each the request that passes, the one refused and the header that must
// appear.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { eventually, fromBackend, get, withStatus } from '../../support/http.ts';
import { endpointSlice, ingress, ingressClass, list, service } from '../../support/manifests.ts';

const CONTROLLER = 'bollard.io/ingress-controller';
const N = 'nginx.ingress.kubernetes.io/';
let ns = '';
let bollard: BollardProcess;
let authService: Server;
const backends: Backend[] = [];
const url = (): string => bollard.httpUrl;
const apply = async (...objects: object[]): Promise<void> => { await kubectl(['apply', '-f', '-'], list(...objects)); };
const spec = (name: string, body: () => Promise<void>) => { it(name, dumpingOnFailure(() => ns, body), 30_000); };

/** An Ingress of one host whose "/" goes to `svc` (port 80), with nginx annotations (names without the prefix). */
const annotated = (name: string, host: string, annotations: Record<string, string>, svc = 'web') => ingress(ns, name, {
  className: 'bollard', host, paths: [{ path: '/', pathType: 'Prefix', service: svc, port: 80 }],
  annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [N + k, v])),
});

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** What a client sends for a GET of `uri` answering a Digest challenge's nonce (qop auth, MD5). */
function digestAnswer(ha1: string, nonce: string, uri: string, nc: string): string {
  const response = md5(`${ha1}:${nonce}:${nc}:e2e:auth:${md5(`GET:${uri}`)}`);
  return `Digest username="ann", realm="Staff only", nonce="${nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="e2e", response="${response}"`;
}

/** A forward-auth service: "Bearer good" passes with X-Auth-User, anything else gets 401 with a challenge. */
async function startAuthService(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.headers.authorization === 'Bearer good') res.writeHead(200, { 'x-auth-user': 'ann' }).end();
    else res.writeHead(401, { 'www-authenticate': 'Bearer realm="e2e"' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const tlsFixture = (name: string): Promise<string> => readFile(new URL(`../../fixtures/tls/${name}`, import.meta.url), 'utf8');

/** GET / over HTTPS with SNI and Host `host`, presenting the client certificate `client` (test/fixtures/tls) if given. */
async function httpsGet(host: string, client?: string): Promise<{ status: number; echo: { headers: Record<string, string> } | undefined }> {
  const tls = client === undefined ? {} : { cert: await tlsFixture(`${client}.crt`), key: await tlsFixture(`${client}.key`) };
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: bollard.httpsPort, servername: host, path: '/', headers: { host }, rejectUnauthorized: false, agent: false, ...tls }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, echo: status === 200 ? JSON.parse(body) as { headers: Record<string, string> } : undefined });
      });
    });
    req.on('error', reject).end();
  });
}

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('nginx');
  const [web, canary] = await Promise.all([startBackend('web'), startBackend('canary')]);
  backends.push(web, canary);
  authService = await startAuthService();
  await apply(ingressClass('bollard', CONTROLLER));
  await apply(
    service(ns, 'web', [{ port: 80 }]), endpointSlice(ns, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]),
    service(ns, 'canary', [{ port: 80 }]), endpointSlice(ns, 'canary-1', 'canary', { port: canary.port }, [{ ip: canary.ip }]),
  );
  bollard = await startBollard({ kubeconfig: env.kubeconfig, args: ['--watch-namespaces', ns, '--election-namespace', ns, '--election-id', 'bollard'] });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await Promise.all(backends.map((b) => b.stop()));
  await new Promise<void>((resolve) => { authService.closeAllConnections(); authService.close(() => { resolve(); }); });
  await deleteTestNamespace(ns);
});

describe('authentication', () => {
  spec('auth-type basic with an htpasswd Secret: 401 with the realm, 200 with the password; a missing Secret refuses (503)', async () => {
    const sha1 = createHash('sha1').update('s3cret').digest('base64');
    await apply(
      { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name: 'htpasswd' }, type: 'Opaque', stringData: { auth: `ann:{SHA}${sha1}\n` } },
      annotated('basic', 'basic.example.test', { 'auth-type': 'basic', 'auth-secret': 'htpasswd', 'auth-realm': 'Staff only' }),
      annotated('basic-missing', 'basic-missing.example.test', { 'auth-type': 'basic', 'auth-secret': 'nowhere' }),
    );
    const refused = await eventually(url(), 'basic.example.test', '/', withStatus(401), 'basic auth challenge');
    expect(refused.headers['www-authenticate']).toMatch(/^Basic realm="Staff only"/);
    expect((await get(url(), 'basic.example.test', '/', { headers: { authorization: basic('ann', 'wrong') } })).status).toBe(401);
    const passed = await get(url(), 'basic.example.test', '/', { headers: { authorization: basic('ann', 's3cret') } });
    expect(passed.echo?.backend).toBe('web');
    await eventually(url(), 'basic-missing.example.test', '/', withStatus(503), 'missing Secret refuses');
  });

  spec('auth-type digest with an htdigest Secret: a challenge with a nonce, 200 with the right response; a changed Secret takes over', async () => {
    const ha1 = (password: string): string => md5(`ann:Staff only:${password}`);
    const secret = (password: string) => ({
      apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns, name: 'htdigest' }, type: 'Opaque', stringData: { auth: `ann:Staff only:${ha1(password)}\n` },
    });
    await apply(secret('s3cret'), annotated('digest', 'digest.example.test', { 'auth-type': 'digest', 'auth-secret': 'htdigest', 'auth-realm': 'Staff only' }));
    const challenged = await eventually(url(), 'digest.example.test', '/', withStatus(401), 'digest auth challenge');
    const challenge = String(challenged.headers['www-authenticate']);
    expect(challenge).toMatch(/^Digest realm="Staff only", qop="auth", algorithm=MD5, nonce="[0-9a-f]+"$/);
    const nonce = /nonce="([0-9a-f]+)"/.exec(challenge)?.[1] ?? '';
    const authorization = (password: string, nc: string): string => digestAnswer(ha1(password), nonce, '/', nc);
    expect((await get(url(), 'digest.example.test', '/', { headers: { authorization: authorization('wrong', '00000001') } })).status).toBe(401);
    const passed = await get(url(), 'digest.example.test', '/', { headers: { authorization: authorization('s3cret', '00000001') } });
    expect(passed.echo?.backend).toBe('web');
    await apply(secret('n3w'));
    // The new Secret retires the old nonces: once it is served, the new password's right answer on
    // an old nonce is told "stale" (before, it is a wrong answer).
    const stale = await waitFor(async () => {
      const r = await get(url(), 'digest.example.test', '/', { headers: { authorization: authorization('n3w', '00000002') } });
      return String(r.headers['www-authenticate']).endsWith(', stale=true') ? r : undefined;
    }, { what: 'the changed Secret served (stale=true)', timeoutMs: 15_000, intervalMs: 25 });
    const fresh = /nonce="([0-9a-f]+)"/.exec(String(stale.headers['www-authenticate']))?.[1] ?? '';
    const renewed = await get(url(), 'digest.example.test', '/', { headers: { authorization: digestAnswer(ha1('n3w'), fresh, '/', '00000001') } });
    expect(renewed.echo?.backend).toBe('web');
  });

  spec('auth-url: the service\'s 2xx lets the request through with auth-response-headers, its 401 is passed on', async () => {
    const { port } = authService.address() as AddressInfo;
    await apply(annotated('forward', 'forward.example.test', { 'auth-url': `http://127.0.0.1:${port}/verify`, 'auth-response-headers': 'X-Auth-User' }));
    const refused = await eventually(url(), 'forward.example.test', '/', withStatus(401), 'forward auth refusal');
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="e2e"');
    const passed = await get(url(), 'forward.example.test', '/', { headers: { authorization: 'Bearer good' } });
    expect(passed.echo?.backend).toBe('web');
    expect(passed.echo?.headers['x-auth-user']).toBe('ann');
  });
});

describe('custom-headers', () => {
  spec('a ConfigMap created after the Ingress adds its headers to the answers; a change of it reaches them', async () => {
    const headers = (value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name: 'security-headers' }, data: { 'X-Frame-Options': value } });
    await apply(annotated('headers', 'headers.example.test', { 'custom-headers': `${ns}/security-headers` }));
    const before = await eventually(url(), 'headers.example.test', '/', fromBackend('web'), 'route without its ConfigMap');
    expect(before.headers['x-frame-options']).toBeUndefined();
    await apply(headers('DENY'));
    await eventually(url(), 'headers.example.test', '/', (r) => r.headers['x-frame-options'] === 'DENY', 'ConfigMap headers');
    await apply(headers('SAMEORIGIN'));
    await eventually(url(), 'headers.example.test', '/', (r) => r.headers['x-frame-options'] === 'SAMEORIGIN', 'changed ConfigMap');
  });
});

describe('source ranges', () => {
  spec('whitelist-source-range lets the client in or answers 403; denylist-source-range refuses it', async () => {
    await apply(
      annotated('allowed', 'allowed.example.test', { 'whitelist-source-range': '10.0.0.0/8, 127.0.0.1/32' }),
      annotated('not-allowed', 'not-allowed.example.test', { 'whitelist-source-range': '192.0.2.0/24' }),
      annotated('denied', 'denied.example.test', { 'denylist-source-range': '127.0.0.0/8' }),
    );
    await eventually(url(), 'allowed.example.test', '/', fromBackend('web'), 'allowlisted client');
    await eventually(url(), 'not-allowed.example.test', '/', withStatus(403), 'client outside the allowlist');
    await eventually(url(), 'denied.example.test', '/', withStatus(403), 'denylisted client');
  });
});

describe('client certificates (auth-tls)', () => {
  spec('a missing CA Secret refuses (503, AuthSecretNotFound); once it is created, a certificate from the CA gets through with the ssl-client-* headers', async () => {
    const host = 'mtls.example.com';
    const withTls = (obj: ReturnType<typeof annotated>) => ({ ...obj, spec: { ...obj.spec, tls: [{ hosts: [host], secretName: 'server-tls' }] } });
    await apply(
      { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { namespace: ns, name: 'server-tls' }, stringData: { 'tls.crt': await tlsFixture('rsa-2048-a.crt'), 'tls.key': await tlsFixture('rsa-2048-a.key') } },
      withTls(annotated('mtls', host, { 'auth-tls-secret': 'client-ca', 'auth-tls-match-cn': 'CN=client-a', 'auth-tls-pass-certificate-to-upstream': 'true' })),
    );
    await waitFor(async () => ((await httpsGet(host, 'client-a')).status === 503 ? true : undefined), { what: 'refused while the CA Secret is missing', timeoutMs: 15_000, intervalMs: 25 });
    await waitFor(async () => {
      const out = await kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=mtls,reason=AuthSecretNotFound', '-o', 'jsonpath={.items[*].message}']);
      return out.includes(`${N}auth-tls-secret`) ? out : undefined;
    }, { what: 'the AuthSecretNotFound Event naming auth-tls-secret', timeoutMs: 15_000, intervalMs: 100 });
    await apply({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { namespace: ns, name: 'client-ca' }, stringData: { 'ca.crt': await tlsFixture('client-ca-a.crt') } });
    const passed = await waitFor(async () => {
      const r = await httpsGet(host, 'client-a');
      return r.status === 200 ? r : undefined;
    }, { what: 'served once the CA Secret exists', timeoutMs: 15_000, intervalMs: 25 });
    expect(passed.echo?.headers).toMatchObject({ 'ssl-client-verify': 'SUCCESS', 'ssl-client-subject-dn': 'CN=client-a', 'ssl-client-issuer-dn': 'CN=bollard-test-client-ca-a' });
    expect(decodeURIComponent(passed.echo?.headers['ssl-client-cert'] ?? '')).toBe(await tlsFixture('client-a.crt'));
    expect((await httpsGet(host)).status).toBe(400);
    expect((await httpsGet(host, 'client-b')).status).toBe(400);
  });
});

describe('CORS', () => {
  spec('a preflight from an allowed origin is answered by Bollard; responses carry the CORS headers', async () => {
    await apply(annotated('cors', 'cors.example.test', {
      'enable-cors': 'true', 'cors-allow-origin': 'https://app.example.test', 'cors-allow-methods': 'GET, PUT', 'cors-max-age': '600',
    }));
    const origin = 'https://app.example.test';
    await eventually(url(), 'cors.example.test', '/', fromBackend('web'), 'CORS route');
    const preflight = await request(`${url()}/items`, {
      method: 'OPTIONS', headers: { host: 'cors.example.test', origin, 'access-control-request-method': 'PUT' },
    });
    await preflight.body.dump();
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, PUT');
    expect(preflight.headers['access-control-max-age']).toBe('600');
    const simple = await get(url(), 'cors.example.test', '/', { headers: { origin } });
    expect(simple.echo?.backend).toBe('web');
    expect(simple.headers['access-control-allow-origin']).toBe(origin);
    const stranger = await get(url(), 'cors.example.test', '/', { headers: { origin: 'https://evil.example.test' } });
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('canary', () => {
  spec('canary-weight 100 sends everything to the canary, weight 0 nothing; canary-by-header "always"/"never" decide', async () => {
    await apply(
      annotated('heavy', 'heavy.example.test', {}),
      annotated('heavy-canary', 'heavy.example.test', { canary: 'true', 'canary-weight': '100' }, 'canary'),
      annotated('header', 'header.example.test', {}),
      annotated('header-canary', 'header.example.test', { canary: 'true', 'canary-weight': '0', 'canary-by-header': 'X-Canary' }, 'canary'),
    );
    await eventually(url(), 'heavy.example.test', '/', fromBackend('canary'), 'weight 100');
    await eventually(url(), 'header.example.test', '/', fromBackend('web'), 'weight 0');
    for (let i = 0; i < 5; i++) expect((await get(url(), 'heavy.example.test', '/')).echo?.backend).toBe('canary');
    await eventually(url(), 'header.example.test', '/', fromBackend('web'), 'header route');
    expect((await get(url(), 'header.example.test', '/', { headers: { 'x-canary': 'always' } })).echo?.backend).toBe('canary');
    expect((await get(url(), 'header.example.test', '/', { headers: { 'x-canary': 'never' } })).echo?.backend).toBe('web');
    for (let i = 0; i < 5; i++) expect((await get(url(), 'header.example.test', '/')).echo?.backend).toBe('web');
  });
});

describe('default-backend and custom-http-errors', () => {
  spec('the default backend serves a route without ready endpoints once its Service appears, and answers custom-http-errors\' statuses', async () => {
    const [, canary] = backends as [Backend, Backend];
    await apply(
      service(ns, 'empty', [{ port: 80 }]),
      annotated('fallback', 'fallback.example.test', { 'default-backend': 'errors' }, 'empty'),
      annotated('pages', 'pages.example.test', { 'default-backend': 'errors', 'custom-http-errors': '404' }),
    );
    await eventually(url(), 'fallback.example.test', '/', withStatus(503), 'no endpoints, no default backend yet');
    await apply(service(ns, 'errors', [{ port: 80 }]), endpointSlice(ns, 'errors-1', 'errors', { port: canary.port }, [{ ip: canary.ip }]));
    const served = await eventually(url(), 'fallback.example.test', '/x', fromBackend('canary'), 'default backend serves');
    expect(served.echo?.url).toBe('/x');
    const page = await eventually(url(), 'pages.example.test', '/gone?status=404', fromBackend('canary'), 'error page');
    expect(page.echo?.url).toBe('/');
    expect(page.echo?.headers).toMatchObject({ 'x-code': '404', 'x-original-uri': '/gone?status=404', 'x-ingress-name': 'pages', 'x-service-name': 'web' });
    expect((await get(url(), 'pages.example.test', '/fine?status=201')).status).toBe(201);
  });
});
