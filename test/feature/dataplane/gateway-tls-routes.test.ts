// Gateway API TLSRoutes over real sockets, from the objects a user writes through the real build:
// Passthrough hands the client's TLS bytes to a backend's own TLS server (the client sees the
// backend's certificate); Terminate ends TLS with the listener's certificate and relays the plain
// bytes to a TCP backend that speaks first; both modes share a port told apart by server name; a
// port of TLS listeners only closes connections no route takes. Certificates are RSA-2048.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as netConnect, createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { connect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Json } from '../../../src/kube/client.ts';
import { selfSignedCertificate, type TestCertificate } from '../../harness/tls-keys.ts';
import { build, gateway, gatewayClass, service, tlsRoute, tlsSecret } from '../../support/routing/gateway-world.ts';
import { freePort, startPlane } from './support.ts';

const OWN = '127.0.0.6';
let plane: Awaited<ReturnType<typeof startPlane>>;
let backendCert: TestCertificate;
let listenerCert: TestCertificate;
let tlsBackend: Server;
let tcpBackend: Server;
let ownPort: number;

/** Access-log lines as they are written; `next` waits for one that matches. */
class AccessLog {
  readonly lines: Record<string, unknown>[] = [];
  private waiting: (() => void) | undefined;

  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
    this.waiting?.();
  }

  async find(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.lines.find(match);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => { this.waiting = resolve; });
    }
  }
}

const accessLog = new AccessLog();

/** The backend's own TLS server (Passthrough): answers each chunk with "tls-backend:" and it. */
function startTlsBackend(): Promise<Server> {
  const server = createTlsServer({ cert: backendCert.certPem, key: backendCert.keyPem }, (socket) => {
    socket.on('data', (chunk: Buffer) => { socket.write(`tls-backend:${chunk.toString()}`); });
    socket.on('error', () => undefined);
  });
  return listening(server);
}

/** A plain TCP backend that speaks first, as the conformance suite's does (Terminate). */
function startTcpBackend(): Promise<Server> {
  const server = createTcpServer((socket) => {
    socket.write('welcome\n');
    socket.on('data', (chunk: Buffer) => { socket.write(`tcp-backend:${chunk.toString()}`); });
    socket.on('error', () => undefined);
  });
  return listening(server);
}

async function listening(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

function objects(): Json[] {
  const terminate = { mode: 'Terminate', certificateRefs: [{ name: 'listener-cert' }] };
  return [
    gatewayClass(),
    gateway('gw', 'streams', [
      { name: 'pass-443', port: 443, protocol: 'TLS', hostname: '*.pass.test', tls: { mode: 'Passthrough' } },
      { name: 'term-own', port: ownPort, protocol: 'TLS', hostname: 'term.test', tls: terminate },
      { name: 'pass-own', port: ownPort, protocol: 'TLS', hostname: 'mixed.test', tls: { mode: 'Passthrough' } },
    ]),
    tlsSecret('gw', 'listener-cert', listenerCert),
    ...service('gw', 'tls-backend', 443, ['127.0.0.1'], portOf(tlsBackend)),
    ...service('gw', 'tcp-backend', 3000, ['127.0.0.1'], portOf(tcpBackend)),
    tlsRoute('gw', 'pass', { parentRefs: [{ name: 'streams', sectionName: 'pass-443' }], rules: [{ backendRefs: [{ name: 'tls-backend', port: 443 }] }] }),
    tlsRoute('gw', 'term', { parentRefs: [{ name: 'streams', sectionName: 'term-own' }], hostnames: ['term.test'], rules: [{ backendRefs: [{ name: 'tcp-backend', port: 3000 }] }] }),
    tlsRoute('gw', 'mixed', { parentRefs: [{ name: 'streams', sectionName: 'pass-own' }], rules: [{ backendRefs: [{ name: 'tls-backend', port: 443 }] }] }),
    tlsRoute('gw', 'nowhere', { parentRefs: [{ name: 'streams', sectionName: 'pass-443' }], hostnames: ['gone.pass.test'], rules: [{ backendRefs: [{ name: 'missing', port: 443 }] }] }),
  ];
}

interface Opened {
  readonly socket: TLSSocket;
  /** The SHA-256 fingerprint of the certificate the client was shown. */
  readonly fingerprint: string;
  readonly alpn: string | false | null;
}

/** `servername` undefined: no SNI at all (the host is an address). */
function open(port: number, servername: string | undefined): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: OWN, port, ...(servername === undefined ? {} : { servername }), rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      resolve({ socket, fingerprint: socket.getPeerCertificate().fingerprint256, alpn: socket.alpnProtocol });
    });
    socket.once('error', reject);
  });
}

/** Reads until `expected` bytes arrived (or the connection ends). */
function read(socket: TLSSocket, expected: number): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const done = (): void => { socket.off('data', onData); resolve(got); };
    const onData = (chunk: Buffer): void => {
      got += chunk.toString();
      if (got.length >= expected) done();
    };
    socket.on('data', onData).once('end', done);
  });
}

/** How a handshake that Bollard refuses ends for the client: the connection closes before it completes. */
function refusal(port: number, servername: string | undefined): Promise<string> {
  return open(port, servername).then(({ socket }) => { socket.destroy(); return 'handshake completed'; }, (err: unknown) => (err as { code?: string }).code ?? 'error');
}

/** What a plain HTTP request to `port` gets back before the connection closes. */
function plainAnswer(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: OWN, port }, () => { socket.write('GET / HTTP/1.1\r\nHost: other.test\r\n\r\n'); });
    let got = '';
    socket.on('data', (chunk: Buffer) => { got += chunk.toString(); });
    socket.on('error', () => undefined);
    socket.once('close', () => { resolve(got); });
  });
}

beforeAll(async () => {
  [backendCert, listenerCert] = await Promise.all([
    selfSignedCertificate('RSA-2048', ['*.pass.test', 'mixed.test']), selfSignedCertificate('RSA-2048', ['term.test']),
  ]);
  [tlsBackend, tcpBackend] = await Promise.all([startTlsBackend(), startTcpBackend()]);
  plane = await startPlane({ extraAddresses: [OWN], accessLog: true }, { accessLog: (line) => { accessLog.write(line); } });
  ownPort = await freePort(OWN);
  plane.tables.publish(build(objects(), { gatewayAddresses: [OWN] }).table);
  await plane.portListenersSettled();
}, 60_000);

afterAll(async () => {
  await plane.close();
  await Promise.all([tlsBackend, tcpBackend].map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); }))));
});

describe('Gateway API TLSRoutes', () => {
  it('Passthrough: the client completes its handshake with the backend, whose certificate it sees', async () => {
    const { socket, fingerprint } = await open(plane.httpsPort, 'shop.pass.test');
    expect(fingerprint).toBe(backendCert.fingerprint);
    socket.write('hello');
    expect(await read(socket, 'tls-backend:hello'.length)).toBe('tls-backend:hello');
    socket.destroy();
  });

  it('Terminate: TLS ends with the listener\'s certificate and no ALPN; the TCP backend speaks first and echoes', async () => {
    const { socket, fingerprint, alpn } = await open(ownPort, 'term.test');
    expect(fingerprint).toBe(listenerCert.fingerprint);
    expect(alpn).toBe(false);
    expect(await read(socket, 'welcome\n'.length)).toBe('welcome\n');
    socket.write('PING\n');
    expect(await read(socket, 'tcp-backend:PING\n'.length)).toBe('tcp-backend:PING\n');
    socket.destroy();
  });

  it('Passthrough and Terminate listeners share a port, told apart by server name', async () => {
    const { socket, fingerprint } = await open(ownPort, 'mixed.test');
    expect(fingerprint).toBe(backendCert.fingerprint);
    socket.write('x');
    expect(await read(socket, 'tls-backend:x'.length)).toBe('tls-backend:x');
    socket.destroy();
  });

  it('a port of TLS listeners only closes a connection no route takes, and one whose backend does not exist', async () => {
    const before = accessLog.lines.length;
    expect(await refusal(ownPort, 'other.test')).toBe('ECONNRESET');
    expect(await refusal(ownPort, undefined)).toBe('ECONNRESET');
    // Not TLS at all (an unreadable ClientHello): closed too, no certificate and no HTTP answer.
    expect(await plainAnswer(ownPort)).toBe('');
    expect(await refusal(plane.httpsPort, 'not-routed.test')).toBe('ECONNRESET');
    expect(await refusal(plane.httpsPort, 'gone.pass.test')).toBe('ECONNRESET');
    const counted = await plane.metrics.dataPlaneRegistry.getSingleMetricAsString('bollard_tls_passthrough_connections_total');
    expect(counted).toMatch(/outcome="no_route"} 4$/m);
    expect(counted).toMatch(/outcome="no_endpoints"} 1$/m);
    // Refused names leave no access-log line (a scanner would fill it); the missing backend does, as nginx's stream module logs it.
    const failed = accessLog.lines.slice(before).filter((l) => l['status'] !== 200);
    expect(failed.map((l) => [l['method'], l['status'], l['host']])).toEqual([['TLS-PASSTHROUGH', 503, 'gone.pass.test']]);
  });

  it('logs each relayed connection once it closes, with its mode', async () => {
    const { socket } = await open(ownPort, 'term.test');
    await read(socket, 'welcome\n'.length);
    socket.end();
    const line = await accessLog.find((l) => l['method'] === 'TLS-TERMINATE');
    expect(line).toMatchObject({ host: 'term.test', status: 200 });
  });
});
