// ListenerSets over real sockets: a ListenerSet's listeners join its Gateway's (HTTP, and HTTPS
// with the ListenerSet's own certificate chosen by SNI), serve the routes that name the
// ListenerSet and not those of the Gateway, go away when the Gateway stops admitting the
// ListenerSet, and on a Gateway with its own address open a port of their own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import type { Json } from '../../../src/kube/client.ts';
import { build, gateway, gatewayAllowing, gatewayClass, httpListener, httpRoute, listenerSet, service, tlsSecret } from '../../support/routing/gateway-world.ts';
import { freePort, startPlane, startUpstream, tlsFixture, upstreamAt, type TestUpstream } from './support.ts';
import { tlsRequest } from './tls-client.ts';

const OWN = '127.0.0.5';
let plane: Awaited<ReturnType<typeof startPlane>>;
let v1: TestUpstream;
let v2: TestUpstream;
let pairs: Record<'gateway' | 'team', { certPem: string; keyPem: string }>;

const https = (name: string, hostname: string, secret: string): Json =>
  ({ name, port: 443, protocol: 'HTTPS', hostname, allowedRoutes: { namespaces: { from: 'All' } }, tls: { certificateRefs: [{ name: secret }] } });
const gatewayListeners = (): Json[] => [httpListener({ hostname: 'gw.test' }), https('https', 'gw.test', 'gw-cert')];
const teamListeners = (extra: readonly Json[] = []): Json[] => [
  httpListener({ name: 'team-http', hostname: 'team.test' }), https('team-https', 'secure.test', 'team-cert'), ...extra,
];

/** The Gateway (admitting ListenerSets or not), a ListenerSet in another namespace, a route for each. */
function objects(admits: boolean, lsExtra: readonly Json[] = []): Json[] {
  return [
    gatewayClass(),
    admits ? gatewayAllowing('gw', 'edge', gatewayListeners(), 'All') : gateway('gw', 'edge', gatewayListeners()),
    listenerSet('team', 'team-listeners', 'gw/edge', teamListeners(lsExtra)),
    tlsSecret('gw', 'gw-cert', pairs.gateway), tlsSecret('team', 'team-cert', pairs.team),
    ...service('gw', 'v1', 80, ['127.0.0.1'], v1.endpoint.port), ...service('team', 'v2', 80, ['127.0.0.1'], v2.endpoint.port),
    httpRoute('gw', 'gateway-route', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'v1', port: 80 }] }] }),
    httpRoute('team', 'team-route', {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'team-listeners' }], rules: [{ backendRefs: [{ name: 'v2', port: 80 }] }],
    }),
  ];
}

function certificateSubject(host: string, port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      resolve(cert instanceof X509Certificate ? cert.subject : '');
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([startUpstream('v1'), startUpstream('v2')]);
  pairs = {
    gateway: { certPem: await tlsFixture('rsa-2048-a.crt'), keyPem: await tlsFixture('rsa-2048-a.key') },
    team: { certPem: await tlsFixture('rsa-2048-other-host.crt'), keyPem: await tlsFixture('rsa-2048-other-host.key') },
  };
  plane = await startPlane({ extraAddresses: [OWN] });
});

afterAll(async () => {
  await plane.close();
  await Promise.all([v1.close(), v2.close()]);
});

describe('ListenerSets on the shared listeners', () => {
  it('serve the ListenerSet\'s routes on its hostnames, HTTP and HTTPS with its own certificate; the Gateway\'s stay on the Gateway\'s', async () => {
    plane.tables.publish(build(objects(true)).table);
    const http = `http://127.0.0.1:${String(plane.httpPort)}/`;
    expect(await upstreamAt(http, 'team.test')).toBe('v2');
    expect(await upstreamAt(http, 'gw.test')).toBe('v1');
    expect(await upstreamAt(http, 'other.test')).toBe(404);
    expect(await tlsRequest({ port: plane.httpsPort, servername: 'secure.test', host: 'secure.test' })).toEqual({ status: 200, upstream: 'v2' });
    expect(await certificateSubject('127.0.0.1', plane.httpsPort, 'secure.test')).toBe('CN=other.invalid');
    expect(await certificateSubject('127.0.0.1', plane.httpsPort, 'gw.test')).toBe('CN=example.com');
    expect(await tlsRequest({ port: plane.httpsPort, servername: 'gw.test', host: 'gw.test' })).toEqual({ status: 200, upstream: 'v1' });
  });

  it('serve nothing once the Gateway no longer admits the ListenerSet', async () => {
    plane.tables.publish(build(objects(false)).table);
    expect(await upstreamAt(`http://127.0.0.1:${String(plane.httpPort)}/`, 'team.test')).toBe(404);
    expect(await upstreamAt(`http://127.0.0.1:${String(plane.httpPort)}/`, 'gw.test')).toBe('v1');
  });
});

describe('ListenerSets on a Gateway with its own address', () => {
  it('open a port of their own on the Gateway\'s address and serve the ListenerSet\'s routes there', async () => {
    const port = await freePort(OWN);
    const extra = [httpListener({ name: 'team-own-port', port, hostname: 'team.test' })];
    plane.tables.publish(build(objects(true, extra), { gatewayAddresses: [OWN] }).table);
    await plane.portListenersSettled();
    expect(await upstreamAt(`http://${OWN}:${String(port)}/`, 'team.test')).toBe('v2');
    expect(await upstreamAt(`http://${OWN}:${String(port)}/`, 'gw.test')).toBe(404);
    expect(await upstreamAt(`http://${OWN}:${String(plane.httpPort)}/`, 'team.test')).toBe('v2');
    expect(await upstreamAt(`http://${OWN}:${String(plane.httpPort)}/`, 'gw.test')).toBe('v1');
  });
});
