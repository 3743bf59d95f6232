// Misdirected requests over real sockets (HTTP/1.1 and HTTP/2): a Gateway's HTTPS listeners on one
// port, chosen by SNI; a request whose Host belongs to another listener than the one its
// handshake chose is answered 421, one for a name its own listener covers is routed (200, or 404
// without a route). The cases are the conformance suite's (HTTPRouteHTTPSListenerDetectMisdirectedRequests).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Json } from '../../../src/kube/client.ts';
import { build, gateway, gatewayClass, httpRoute, service, tlsSecret } from '../../support/routing/gateway-world.ts';
import { startPlane, startUpstream, tlsFixture, type TestUpstream } from './support.ts';
import { tlsRequest } from './tls-client.ts';

const PATH = '/detect-misdirected-requests';
let plane: Awaited<ReturnType<typeof startPlane>>;
let upstreams: TestUpstream[];

const listener = (name: string, hostname?: string): Json =>
  ({ name, port: 443, protocol: 'HTTPS', ...(hostname === undefined ? {} : { hostname }), tls: { certificateRefs: [{ name: 'server' }] } });
const route = (name: string, sectionName: string, backend: string, hostnames: readonly string[] = []) => httpRoute('gw', name, {
  parentRefs: [{ name: 'edge', sectionName }], hostnames,
  rules: [{ matches: [{ path: { type: 'PathPrefix', value: PATH } }], backendRefs: [{ name: backend, port: 80 }] }],
});

beforeAll(async () => {
  upstreams = await Promise.all(['v1', 'v2', 'v3'].map((n) => startUpstream(n)));
  plane = await startPlane();
  const built = build([
    gatewayClass(), tlsSecret('gw', 'server', { certPem: await tlsFixture('rsa-2048-a.crt'), keyPem: await tlsFixture('rsa-2048-a.key') }),
    gateway('gw', 'edge', [
      listener('https'), listener('https-with-hostname', 'second-example.org'),
      listener('https-with-wildcard-hostname', '*.wildcard.org'), listener('https-with-hostname-matching-wildcard', 'fourth-example.wildcard.org'),
    ]),
    ...upstreams.flatMap((u, i) => service('gw', `v${String(i + 1)}`, 80, ['127.0.0.1'], u.endpoint.port)),
    route('r1', 'https', 'v1', ['example.org']), route('r2', 'https-with-hostname', 'v2'),
    route('r3', 'https-with-wildcard-hostname', 'v3'), route('r4', 'https-with-hostname-matching-wildcard', 'v1'),
  ]);
  plane.tables.publish(built.table);
});

afterAll(async () => {
  await plane.close();
  await Promise.all(upstreams.map((u) => u.close()));
});

/** [SNI, Host, status, upstream] */
const CASES: readonly [string, string, number, string?][] = [
  ['example.org', 'example.org', 200, 'v1'],
  ['example.org', 'second-example.org', 421],
  ['example.org', 'unknown-example.org', 404],
  ['second-example.org', 'second-example.org', 200, 'v2'],
  ['second-example.org', 'example.org', 421],
  ['second-example.org', 'unknown-example.org', 421],
  ['third-example.wildcard.org', 'third-example.wildcard.org', 200, 'v3'],
  ['third-example.wildcard.org', 'fith-example.wildcard.org', 200, 'v3'],
  ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421],
  ['third-example.wildcard.org', 'second-example.org', 421],
  ['third-example.wildcard.org', 'unknown-example.org', 421],
  ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 200, 'v1'],
  ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
  ['unknown-example.org', 'example.org', 200, 'v1'],
  ['unknown-example.org', 'unknown-example.org', 404],
];

describe.each([['HTTP/1.1', false], ['HTTP/2', true]])('misdirected requests over %s', (_protocol, h2) => {
  it.each(CASES.map(([sni, host, status, upstream]) => ({ sni, host, status, upstream })))('SNI $sni, Host $host → $status', async ({ sni, host, status, upstream }) => {
    expect(await tlsRequest({ port: plane.httpsPort, servername: sni, host, path: PATH, h2 })).toEqual({ status, upstream });
  });
});
