// Gateway frontend client-certificate validation over real sockets: a listener that requires a
// certificate from its CA (AllowValidOnly) lets in a client with one (RSA-2048, signed by that CA)
// and refuses the handshake of a client without one or with another CA's; AllowInsecureFallback
// lets every client in; other listeners ask for nothing. A request must not reach the strict
// listener's routes over another name's handshake: it is answered 421.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:tls';
import type { Json } from '../../../src/kube/client.ts';
import { build, caConfigMap, gateway, gatewayClass, httpRoute, service, tlsSecret } from '../../support/routing/gateway-world.ts';
import { startPlane, startUpstream, tlsFixture, type TestUpstream } from './support.ts';
import { tlsRequest, type TlsAsk } from './tls-client.ts';
const pair = async (name: string) => ({ certPem: await tlsFixture(`${name}.crt`), keyPem: await tlsFixture(`${name}.key`) });

let plane: Awaited<ReturnType<typeof startPlane>>;
let upstreams: TestUpstream[];
let clientA: { certPem: string; keyPem: string };
let clientB: { certPem: string; keyPem: string };

/** A Gateway with one HTTPS listener for `host`, its frontend validation, and a route to its own upstream. */
function site(name: string, frontend: Json | undefined, port: number): Json[] {
  const gw = gateway('gw', name, [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: `${name}.example.com`, tls: { certificateRefs: [{ name: 'server' }] } }]);
  return [
    frontend === undefined ? gw : { ...gw, spec: { ...(gw.spec as Json), tls: { frontend } } },
    ...service('gw', name, 80, ['127.0.0.1'], port),
    httpRoute('gw', name, { parentRefs: [{ name }], rules: [{ backendRefs: [{ name, port: 80 }] }] }),
  ];
}

const caA = { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca-a' }] };

beforeAll(async () => {
  upstreams = await Promise.all(['strict', 'fallback', 'open'].map((n) => startUpstream(n)));
  [clientA, clientB] = await Promise.all([pair('client-a'), pair('client-b')]);
  plane = await startPlane();
  const [strict, fallback, open] = upstreams.map((u) => u.endpoint.port) as [number, number, number];
  const built = build([
    gatewayClass(), tlsSecret('gw', 'server', await pair('rsa-2048-a')), caConfigMap('gw', 'ca-a', await tlsFixture('client-ca-a.crt')),
    ...site('strict', { default: { validation: caA } }, strict),
    ...site('fallback', { default: { validation: { ...caA, mode: 'AllowInsecureFallback' } } }, fallback),
    ...site('open', undefined, open),
  ]);
  plane.tables.publish(built.table);
});

afterAll(async () => {
  await plane.close();
  await Promise.all(upstreams.map((u) => u.close()));
});

const ask = (name: string, extra: Partial<TlsAsk> = {}) =>
  tlsRequest({ port: plane.httpsPort, servername: `${name}.example.com`, host: `${name}.example.com`, ...extra });

describe.each([['HTTP/1.1', false], ['HTTP/2', true]])('client certificates over %s', (_protocol, h2) => {
  it('AllowValidOnly: a certificate from the listener\'s CA gets through', async () => {
    expect(await ask('strict', { client: clientA, h2 })).toEqual({ status: 200, upstream: 'strict' });
  });

  it('AllowValidOnly: no certificate, or one from another CA, gets no connection', async () => {
    expect(await ask('strict', { h2 })).toHaveProperty('error');
    expect(await ask('strict', { client: clientB, h2 })).toHaveProperty('error');
  });

  it('AllowInsecureFallback: every client gets through', async () => {
    for (const client of [clientA, clientB, undefined]) {
      expect(await ask('fallback', { ...(client === undefined ? {} : { client }), h2 })).toEqual({ status: 200, upstream: 'fallback' });
    }
  });

  it('a listener without validation asks for nothing', async () => {
    expect(await ask('open', { h2 })).toEqual({ status: 200, upstream: 'open' });
  });

  it('the strict listener\'s host over another name\'s handshake, or one without SNI, is misdirected (421)', async () => {
    expect(await ask('open', { host: 'strict.example.com', h2 })).toEqual({ status: 421, upstream: undefined });
    expect(await ask('fallback', { host: 'strict.example.com', client: clientB, h2 })).toEqual({ status: 421, upstream: undefined });
    expect(await ask('strict', { servername: '', host: 'strict.example.com', h2 })).toEqual({ status: 421, upstream: undefined });
  });
});

describe('refused handshakes', () => {
  it('are counted by the verification\'s reason', async () => {
    const count = async () => (await plane.metrics.tlsHandshakeErrors.get()).values.find((v) => v.labels.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')?.value ?? 0;
    const before = await count();
    expect(await ask('strict', { client: clientB })).toHaveProperty('error');
    expect(await count()).toBe(before + 1);
  });
});

/** A raw HTTP/1.1 GET on a TLS connection that may resume `session`; the status line and the session to resume next. */
function rawGet(port: number, host: string, client: { certPem: string; keyPem: string }, session?: Buffer): Promise<{ statusLine: string; reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let next: Buffer | undefined;
    let text = '';
    const socket = connect({ host: '127.0.0.1', port, servername: host, rejectUnauthorized: false, cert: client.certPem, key: client.keyPem, ...(session === undefined ? {} : { session }) }, () => {
      socket.write(`GET / HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);
    });
    socket.on('session', (s: Buffer) => { next = s; });
    socket.setEncoding('latin1').on('data', (c: string) => { text += c; });
    socket.on('end', () => { resolve({ statusLine: text.split('\r\n')[0] ?? '', reused: socket.isSessionReused(), session: next }); });
    socket.on('error', reject);
  });
}

describe('session resumption', () => {
  // OpenSSL refuses to resume a session on a context that verifies peers unless it has a session ID context.
  it('a client with a valid certificate resumes its session on the strict listener', async () => {
    const first = await rawGet(plane.httpsPort, 'strict.example.com', clientA);
    expect(first.statusLine).toBe('HTTP/1.1 200 OK');
    const second = await rawGet(plane.httpsPort, 'strict.example.com', clientA, first.session);
    expect(second).toMatchObject({ statusLine: 'HTTP/1.1 200 OK', reused: true });
  });
});
