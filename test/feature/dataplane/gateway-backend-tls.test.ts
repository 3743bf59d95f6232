// BackendTLSPolicy and a Gateway's backend client certificate over real sockets: HTTPRoutes built
// into a table by the real builder, a real data plane, and HTTPS upstreams with an RSA-2048
// certificate from a test CA (DNS abc.example.com, URI spiffe://abc.example.com/test-identity).
// The upstreams answer with the SNI name and the client certificate they saw; one of them refuses
// a handshake without a client certificate of the CA. Requests whose upstream fails verification get 502.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { request } from 'undici';
import type { Json } from '../../../src/kube/client.ts';
import { generateTestPki, type TestPki } from '../../harness/tls-ca.ts';
import { backendTlsPolicy, build, configMap, gateway, gatewayClass, httpListener, httpRoute, service, tlsSecret } from '../../support/routing/gateway-world.ts';
import { startPlane } from './support.ts';

const SPIFFE = 'spiffe://abc.example.com/test-identity';

interface Seen {
  readonly servername: string | false;
  readonly client: string | undefined;
}

let pki: TestPki;
let open: Server;
let strict: Server;
let plane: Awaited<ReturnType<typeof startPlane>>;
let base = '';

/** An HTTPS upstream on 127.0.0.1:0 answering with what it saw; `requireClient`: no handshake without a client certificate of the CA. */
async function startTlsUpstream(requireClient: boolean): Promise<Server> {
  const server = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.caPem, requestCert: true, rejectUnauthorized: requireClient }, (req, res) => {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket)) throw new Error('not a TLS connection');
    const peer = socket.getPeerCertificate();
    const seen: Seen = { servername: socket.servername ?? false, client: Object.keys(peer).length === 0 ? undefined : String(peer.subject.CN) };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;
const policy = (name: string, validation: Json): Json =>
  backendTlsPolicy('app', name, { targetRefs: [{ group: '', kind: 'Service', name }], validation: { hostname: 'abc.example.com', ...validation } });
const trusted = { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] };

/** name → the policy's validation; each gets a Service of its own (a policy targets a Service) to the open upstream, and a path /name. */
const OPEN_CASES: Readonly<Record<string, Json>> = {
  ok: trusted,
  'wrong-host': { ...trusted, hostname: 'other.example.com' },
  'san-uri': { ...trusted, subjectAltNames: [{ type: 'URI', uri: SPIFFE }] },
  'san-several': { ...trusted, subjectAltNames: [{ type: 'Hostname', hostname: 'def.example.com' }, { type: 'Hostname', hostname: 'abc.example.com' }] },
  'san-wrong': { ...trusted, subjectAltNames: [{ type: 'URI', uri: 'spiffe://def.example.com/test-identity' }, { type: 'Hostname', hostname: 'def.example.com' }] },
  'wrong-ca': { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'other-ca' }] },
  'missing-ca': { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'nowhere' }] },
};

beforeAll(async () => {
  pki = await generateTestPki(['abc.example.com', SPIFFE]);
  [open, strict] = await Promise.all([startTlsUpstream(false), startTlsUpstream(true)]);
  const unrelatedCa = await readFile(new URL('../../fixtures/tls/rsa-2048-a.crt', import.meta.url), 'utf8');
  const routeTo = (host: string, gw: string, backends: readonly string[]) => httpRoute('app', `${gw}-${host}`, {
    parentRefs: [{ name: gw }], hostnames: [host],
    rules: backends.map((name) => ({ matches: [{ path: { type: 'Exact', value: `/${name}` } }], backendRefs: [{ name, port: 443 }] })),
  });
  const names = Object.keys(OPEN_CASES);
  const built = build([
    gatewayClass(),
    // "edge" shows the client certificate to TLS backends; "bare" shows none.
    { ...gateway('app', 'edge', [httpListener({ hostname: 'edge.test' })]), spec: { gatewayClassName: 'bollard', listeners: [httpListener({ hostname: 'edge.test' })], tls: { backend: { clientCertificateRef: { name: 'client' } } } } },
    gateway('app', 'bare', [httpListener({ hostname: 'bare.test' })]),
    tlsSecret('app', 'client', pki.client), configMap('app', 'ca', { 'ca.crt': pki.caPem }), configMap('app', 'other-ca', { 'ca.crt': unrelatedCa }),
    ...names.flatMap((name) => service('app', name, 443, ['127.0.0.1'], portOf(open))),
    ...names.map((name) => policy(name, OPEN_CASES[name] ?? {})),
    ...service('app', 'strict', 443, ['127.0.0.1'], portOf(strict)), policy('strict', trusted),
    routeTo('edge.test', 'edge', [...names, 'strict']), routeTo('bare.test', 'bare', ['ok', 'strict']),
  ]);
  plane = await startPlane();
  plane.tables.publish(built.table);
  base = `http://127.0.0.1:${plane.httpPort}`;
}, 60_000);

afterAll(async () => {
  await plane.close();
  for (const server of [open, strict]) server.closeAllConnections();
  await Promise.all([open, strict].map((server) => new Promise<void>((resolve) => server.close(() => { resolve(); }))));
});

async function get(host: string, path: string): Promise<{ status: number; seen: Seen | undefined }> {
  const res = await request(`${base}${path}`, { headers: { host } });
  const text = await res.body.text();
  return { status: res.statusCode, seen: res.statusCode === 200 ? JSON.parse(text) as Seen : undefined };
}

describe('BackendTLSPolicy', () => {
  it('reaches the backend over TLS, verified against the ConfigMap\'s CA, with the policy\'s hostname as SNI', async () => {
    expect(await get('bare.test', '/ok')).toEqual({ status: 200, seen: { servername: 'abc.example.com', client: undefined } });
  });

  it('answers 502 when the certificate does not name the policy\'s hostname, or another CA signed it', async () => {
    expect((await get('edge.test', '/wrong-host')).status).toBe(502);
    expect((await get('edge.test', '/wrong-ca')).status).toBe(502);
  });

  it('verifies subjectAltNames instead of the hostname: one URI or DNS name of the list is enough', async () => {
    expect(await get('edge.test', '/san-uri')).toMatchObject({ status: 200, seen: { servername: 'abc.example.com' } });
    expect((await get('edge.test', '/san-several')).status).toBe(200);
    expect((await get('edge.test', '/san-wrong')).status).toBe(502);
  });

  it('answers 500 when the policy has no usable CA (connections through it must fail)', async () => {
    expect((await get('edge.test', '/missing-ca')).status).toBe(500);
  });
});

describe('Gateway tls.backend.clientCertificateRef', () => {
  it('the Gateway shows its client certificate to a backend that requires one', async () => {
    expect(await get('edge.test', '/strict')).toEqual({ status: 200, seen: { servername: 'abc.example.com', client: 'bollard-client' } });
    expect(await get('edge.test', '/ok')).toEqual({ status: 200, seen: { servername: 'abc.example.com', client: 'bollard-client' } });
  });

  it('a Gateway without one is refused by that backend (502)', async () => {
    expect((await get('bare.test', '/strict')).status).toBe(502);
  });
});
