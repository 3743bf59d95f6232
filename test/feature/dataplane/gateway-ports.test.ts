// Gateway listeners on ports of their own, over real sockets: Bollard opens the ports a Gateway
// with its own address asks for (HTTP and HTTPS), serves each port's routes there, refuses a port
// it cannot open with a metric, and closes a port (and its connections) when the listener goes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { request } from 'undici';
import type { Json } from '../../../src/kube/client.ts';
import { build, gateway, gatewayClass, httpListener, httpRoute, service, tlsSecret } from '../../support/routing/gateway-world.ts';
import { freePort, startPlane, startUpstream, tlsFixture, upstreamAt, type TestUpstream } from './support.ts';

const OWN = '127.0.0.4';
let plane: Awaited<ReturnType<typeof startPlane>>;
let v1: TestUpstream;
let v2: TestUpstream;
let certificate: { certPem: string; keyPem: string };

function objects(httpPort: number, httpsPort: number): Json[] {
  return [
    gatewayClass(),
    gateway('gw', 'ports', [
      httpListener({ name: 'main', port: 80, hostname: 'foo.test' }),
      httpListener({ name: 'own-http', port: httpPort, hostname: 'foo.test' }),
      { name: 'own-https', port: httpsPort, protocol: 'HTTPS', hostname: 'foo.test', tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] } },
    ]),
    tlsSecret('gw', 'cert', certificate),
    ...service('gw', 'v1', 80, ['127.0.0.1'], v1.endpoint.port), ...service('gw', 'v2', 80, ['127.0.0.1'], v2.endpoint.port),
    httpRoute('gw', 'main', { parentRefs: [{ name: 'ports', sectionName: 'main' }], rules: [{ backendRefs: [{ name: 'v1', port: 80 }] }] }),
    httpRoute('gw', 'own', { parentRefs: [{ name: 'ports', port: httpPort }, { name: 'ports', port: httpsPort }], rules: [{ backendRefs: [{ name: 'v2', port: 80 }] }] }),
  ];
}

function certificateAt(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: OWN, port, servername: 'foo.test', rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      resolve(cert instanceof X509Certificate ? cert.subject : '');
    });
    socket.on('error', reject);
  });
}

function refused(port: number): Promise<string> {
  return request(`http://${OWN}:${String(port)}/`).then(() => 'answered', (err: unknown) => (err as { code?: string }).code ?? 'error');
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([startUpstream('v1'), startUpstream('v2')]);
  certificate = { certPem: await tlsFixture('rsa-2048-a.crt'), keyPem: await tlsFixture('rsa-2048-a.key') };
  plane = await startPlane({ extraAddresses: [OWN] });
});

afterAll(async () => {
  await plane.close();
  await Promise.all([v1.close(), v2.close()]);
});

describe('Gateway listeners on ports of their own', () => {
  it('opens the ports on the Gateway\'s address and serves each one\'s routes, HTTP and HTTPS', async () => {
    const [httpPort, httpsPort] = [await freePort(OWN), await freePort(OWN)];
    plane.tables.publish(build(objects(httpPort, httpsPort), { gatewayAddresses: [OWN] }).table);
    await plane.portListenersSettled();
    expect(await upstreamAt(`http://${OWN}:${String(plane.httpPort)}/`, 'foo.test')).toBe('v1');
    expect(await upstreamAt(`http://${OWN}:${String(httpPort)}/`, 'foo.test')).toBe('v2');
    expect(await upstreamAt(`http://${OWN}:${String(httpPort)}/`, 'bar.test')).toBe(404);
    expect(await certificateAt(httpsPort)).toBe('CN=example.com');
    expect(await plane.metrics.dataPlaneRegistry.getSingleMetricAsString('bollard_gateway_port_listeners')).toMatch(/ 2$/m);
  });

  it('counts a port it cannot open, and opens it once it is free at the next table', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, OWN, resolve));
    const taken = (squatter.address() as AddressInfo).port;
    const httpsPort = await freePort(OWN);
    plane.tables.publish(build(objects(taken, httpsPort), { gatewayAddresses: [OWN] }).table);
    await plane.portListenersSettled();
    expect(await plane.metrics.dataPlaneRegistry.getSingleMetricAsString('bollard_gateway_port_listener_errors_total')).toMatch(/code="EADDRINUSE"} 1$/m);
    await new Promise<void>((resolve) => squatter.close(() => { resolve(); }));
    plane.tables.publish(build(objects(taken, httpsPort), { gatewayAddresses: [OWN] }).table);
    await plane.portListenersSettled();
    expect(await upstreamAt(`http://${OWN}:${String(taken)}/`, 'foo.test')).toBe('v2');
  });

  it('closes a port, and the connections it accepted, when its listener goes', async () => {
    const [httpPort, httpsPort] = [await freePort(OWN), await freePort(OWN)];
    plane.tables.publish(build(objects(httpPort, httpsPort), { gatewayAddresses: [OWN] }).table);
    await plane.portListenersSettled();
    const kept = connect({ host: OWN, port: httpsPort, servername: 'foo.test', rejectUnauthorized: false });
    await new Promise<void>((resolve) => kept.once('secureConnect', resolve));
    const closed = new Promise<void>((resolve) => kept.once('close', () => { resolve(); }));
    const gone = objects(httpPort, httpsPort).map((o) => o.kind === 'Gateway' ? gateway('gw', 'ports', [httpListener({ name: 'main', port: 80, hostname: 'foo.test' })]) : o);
    plane.tables.publish(build(gone, { gatewayAddresses: [OWN] }).table);
    await plane.portListenersSettled();
    await closed;
    expect(await refused(httpPort)).toBe('ECONNREFUSED');
  });
});
