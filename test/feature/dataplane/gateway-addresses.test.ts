// Gateways with addresses of their own (--gateway-addresses) over real sockets: two Gateways serve
// the same host-less path from different backends and with different certificates, each on its
// loopback address; the shared address serves neither.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { request } from 'undici';
import { generateSelfSigned } from '../../../src/dataplane/tls/default-certificate.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service, tlsSecret } from '../../support/routing/gateway-world.ts';
import { startPlane, startUpstream, tlsFixture, type TestUpstream } from './support.ts';

const OWN = ['127.0.0.2', '127.0.0.3'] as const;
let plane: Awaited<ReturnType<typeof startPlane>>;
let first: TestUpstream;
let second: TestUpstream;

const listeners = (secret: string) => [
  httpListener(), { name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: secret }] } },
];
const catchAll = (gw: string, backend: string) =>
  httpRoute('gw', `to-${backend}`, { parentRefs: [{ name: gw }], rules: [{ backendRefs: [{ name: backend, port: 80 }] }] });

beforeAll(async () => {
  [first, second] = await Promise.all([startUpstream('first'), startUpstream('second')]);
  // One RSA-2048 certificate (cert-manager's default, from test/fixtures/tls/) and one ECDSA.
  const certA = { certPem: await tlsFixture('rsa-2048-a.crt'), keyPem: await tlsFixture('rsa-2048-a.key') };
  const certB = await generateSelfSigned('b.gateway.test');
  plane = await startPlane({ extraAddresses: [...OWN] });
  const built = build([
    gatewayClass(),
    { ...gateway('gw', 'a', listeners('cert-a')), metadata: { namespace: 'gw', name: 'a', creationTimestamp: '2024-01-01T00:00:00Z' } },
    { ...gateway('gw', 'b', listeners('cert-b')), metadata: { namespace: 'gw', name: 'b', creationTimestamp: '2024-01-02T00:00:00Z' } },
    tlsSecret('gw', 'cert-a', certA), tlsSecret('gw', 'cert-b', certB),
    ...service('gw', 'first', 80, ['127.0.0.1'], first.endpoint.port), ...service('gw', 'second', 80, ['127.0.0.1'], second.endpoint.port),
    catchAll('a', 'first'), catchAll('b', 'second'),
  ], { gatewayAddresses: [...OWN] });
  plane.tables.publish(built.table);
  expect(built.gatewayApi?.gateways.map((g) => [g.ref.name, g.addresses])).toEqual([['a', ['127.0.0.2']], ['b', ['127.0.0.3']]]);
});

afterAll(async () => {
  await plane.close();
  await Promise.all([first.close(), second.close()]);
});

async function upstreamAt(address: string): Promise<string | number> {
  const res = await request(`http://${address}:${String(plane.httpPort)}/page`, { headers: { host: 'any.example.test' } });
  const text = await res.body.text();
  return res.statusCode === 200 ? (JSON.parse(text) as { upstream: string }).upstream : res.statusCode;
}

function certificateAt(address: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port: plane.httpsPort, servername, rejectUnauthorized: false }, () => {
      const pem = socket.getPeerX509Certificate();
      socket.destroy();
      resolve(pem instanceof X509Certificate ? pem.subject : '');
    });
    socket.on('error', reject);
  });
}

describe('Gateways with their own addresses', () => {
  it('each address serves its own Gateway\'s route; the shared address serves neither', async () => {
    expect(await upstreamAt('127.0.0.2')).toBe('first');
    expect(await upstreamAt('127.0.0.3')).toBe('second');
    expect(await upstreamAt('127.0.0.1')).toBe(404);
  });

  it('each address answers TLS with its own Gateway\'s certificate', async () => {
    expect(await certificateAt('127.0.0.2', 'any.example.test')).toBe('CN=example.com');
    expect(await certificateAt('127.0.0.3', 'any.example.test')).toBe('CN=b.gateway.test');
    expect(await certificateAt('127.0.0.1', 'any.example.test')).toBe('CN=default.invalid');
  });
});
