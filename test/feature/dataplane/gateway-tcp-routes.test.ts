// Gateway API TCPRoutes over real sockets, from the objects a user writes through the real build:
// Bollard opens a TCP listener's port on its Gateway's address and joins each connection to the
// oldest bound route's backend (which may speak first); weighted backends share the connections;
// a port whose route's backend does not exist closes them; removing the listener closes the port.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Json } from '../../../src/kube/client.ts';
import { build, gateway, gatewayClass, service, tcpRoute } from '../../support/routing/gateway-world.ts';
import { freePort, startPlane } from './support.ts';

const OWN = '127.0.0.7';
let plane: Awaited<ReturnType<typeof startPlane>>;
let backends: Server[];
let ports: { main: number; split: number; broken: number };

/** A TCP backend that speaks first with its name, then echoes with it. */
async function startBackend(name: string): Promise<Server> {
  const server = createServer((socket) => {
    socket.write(`${name}\n`);
    socket.on('data', (chunk: Buffer) => { socket.write(`${name}:${chunk.toString()}`); });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

function objects(withBroken = true): Json[] {
  const [one, two] = backends.map(portOf);
  const tcp = (name: string, port: number): Json => ({ name, port, protocol: 'TCP' });
  return [
    gatewayClass(),
    gateway('gw', 'tcp', [tcp('main', ports.main), tcp('split', ports.split), ...(withBroken ? [tcp('broken', ports.broken)] : [])]),
    ...service('gw', 'one', 3000, ['127.0.0.1'], one), ...service('gw', 'two', 3000, ['127.0.0.1'], two),
    tcpRoute('gw', 'older', { parentRefs: [{ name: 'tcp', sectionName: 'main' }], rules: [{ backendRefs: [{ name: 'one', port: 3000 }] }] }, { creationTimestamp: '2024-01-01T00:00:00Z' }),
    tcpRoute('gw', 'newer', { parentRefs: [{ name: 'tcp', sectionName: 'main' }], rules: [{ backendRefs: [{ name: 'two', port: 3000 }] }] }, { creationTimestamp: '2024-01-02T00:00:00Z' }),
    tcpRoute('gw', 'split', { parentRefs: [{ name: 'tcp', sectionName: 'split' }], rules: [{ backendRefs: [{ name: 'one', port: 3000, weight: 1 }, { name: 'two', port: 3000, weight: 1 }] }] }),
    tcpRoute('gw', 'broken', { parentRefs: [{ name: 'tcp', sectionName: 'broken' }], rules: [{ backendRefs: [{ name: 'missing', port: 3000 }] }] }),
  ];
}

/** The first line a connection to `port` receives: the backend's name, or how the connection ended. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: OWN, port });
    let got = '';
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString();
      if (got.includes('\n')) { socket.destroy(); resolve(got.trim()); }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? 'error'); });
    socket.once('close', () => { resolve(got === '' ? 'closed' : got); });
  });
}

beforeAll(async () => {
  backends = await Promise.all([startBackend('one'), startBackend('two')]);
  plane = await startPlane({ extraAddresses: [OWN] });
  ports = { main: await freePort(OWN), split: await freePort(OWN), broken: await freePort(OWN) };
  plane.tables.publish(build(objects(), { gatewayAddresses: [OWN] }).table);
  await plane.portListenersSettled();
});

afterAll(async () => {
  await plane.close();
  await Promise.all(backends.map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); }))));
});

describe('Gateway API TCPRoutes', () => {
  it('joins each connection to the oldest bound route\'s backend, which speaks first; bytes go both ways', async () => {
    for (let i = 0; i < 5; i++) expect(await greeting(ports.main)).toBe('one');
    const socket = connect({ host: OWN, port: ports.main });
    const echoed = new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (chunk: Buffer) => { got += chunk.toString(); if (got.includes('one:PING\n')) resolve(got); });
    });
    socket.write('PING\n');
    expect(await echoed).toBe('one\none:PING\n');
    socket.destroy();
  });

  it('weighted backends share the connections', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await greeting(ports.split));
    expect([...seen].sort()).toEqual(['one', 'two']);
  });

  it('a route whose backend does not exist closes its connections, counted', async () => {
    expect(await greeting(ports.broken)).toBe('closed');
    expect(await plane.metrics.dataPlaneRegistry.getSingleMetricAsString('bollard_tcp_route_connections_total')).toMatch(/outcome="no_endpoints"} 1$/m);
  });

  it('a listener that goes closes its port', async () => {
    plane.tables.publish(build(objects(false), { gatewayAddresses: [OWN] }).table);
    await plane.portListenersSettled();
    expect(await greeting(ports.broken)).toBe('ECONNREFUSED');
    expect(await greeting(ports.main)).toBe('one');
  });
});
