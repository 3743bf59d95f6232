// nginx ssl-passthrough over real sockets: with --enable-ssl-passthrough, a TLS connection for a
// passthrough host reaches the backend's own TLS server untouched (the client sees the backend's
// certificate, not Bollard's), bytes both ways are counted and logged, and the connection closes
// when the data plane does. Without the flag, and for other hosts, Bollard terminates TLS itself.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { selfSignedCertificate, type TestCertificate } from '../../harness/tls-keys.ts';
import type { RoutingTable } from '../../../src/routing/types.ts';
import { certificate, deadEndpoint, hostRoutes, route, startPlane, table, upstream } from './support.ts';

type Plane = Awaited<ReturnType<typeof startPlane>>;

let backendCert: TestCertificate;
let bollardCert: TestCertificate;
let backend: TlsServer;
let routes: RoutingTable;

beforeAll(async () => {
  [backendCert, bollardCert] = await Promise.all([selfSignedCertificate('RSA-2048', ['pass.test']), selfSignedCertificate('RSA-2048', ['pass.test', 'term.test'])]);
  // The backend terminates TLS itself, echoes what it reads, prefixed, and closes when the client does.
  backend = createTlsServer({ cert: backendCert.certPem, key: backendCert.keyPem }, (socket) => {
    socket.on('data', (chunk: Buffer) => { socket.write(`backend:${chunk.toString()}`); });
    socket.once('end', () => { socket.end(); });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const { port } = backend.address() as AddressInfo;
  const dead = await deadEndpoint();
  const pass = upstream('pass', [{ host: '127.0.0.1', port }]);
  routes = table({
    'pass.test': hostRoutes(route('/', pass, { sslPassthrough: true })),
    'empty.test': hostRoutes(route('/', upstream('empty', []), { sslPassthrough: true })),
    'dead.test': hostRoutes(route('/', upstream('dead', [dead]), { sslPassthrough: true })),
    'term.test': hostRoutes(route('/', pass)),
  }, { 'pass.test': certificate('bollard', bollardCert), 'term.test': certificate('bollard', bollardCert) });
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => backend.close(() => { resolve(); }));
});

/** Access-log lines of passthrough connections, as they are written. */
class PassthroughLog {
  readonly lines: Record<string, unknown>[] = [];
  private waiting: (() => void) | undefined;

  write(line: string): void {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (parsed['method'] !== 'TLS-PASSTHROUGH') return;
    this.lines.push(parsed);
    this.waiting?.();
  }

  async count(n: number): Promise<Record<string, unknown>[]> {
    while (this.lines.length < n) await new Promise<void>((resolve) => { this.waiting = resolve; });
    return this.lines;
  }
}

async function planeWith(sslPassthrough: boolean, log = new PassthroughLog()): Promise<Plane> {
  const plane = await startPlane({ accessLog: true, tls: { ...(await startPlaneTls()), sslPassthrough } }, { accessLog: (line) => { log.write(line); } });
  plane.tables.publish(routes);
  return plane;
}

/** The support's default TLS settings, with a default certificate of its own. */
async function startPlaneTls(): Promise<{ defaultCertPem: string; defaultKeyPem: string; minVersion: 'TLSv1.2'; ciphers: undefined; sniStrict: false }> {
  const fallback = await selfSignedCertificate('RSA-2048', ['default.invalid']);
  return { defaultCertPem: fallback.certPem, defaultKeyPem: fallback.keyPem, minVersion: 'TLSv1.2', ciphers: undefined, sniStrict: false };
}

function open(port: number, servername: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => { resolve(socket); });
    socket.once('error', reject);
  });
}

function nextData(socket: TLSSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => { resolve(chunk.toString()); });
    socket.once('error', reject);
  });
}

const closed = (socket: TLSSocket): Promise<void> => new Promise((resolve) => { socket.once('close', () => { resolve(); }); });

describe('nginx ssl-passthrough with --enable-ssl-passthrough', () => {
  it('passes the connection to the backend unterminated, counts and logs its bytes both ways', async () => {
    const log = new PassthroughLog();
    const plane = await planeWith(true, log);
    try {
      const socket = await open(plane.httpsPort, 'pass.test');
      expect(socket.getPeerCertificate().fingerprint256).toBe(backendCert.fingerprint);
      socket.write('hello');
      expect(await nextData(socket)).toBe('backend:hello');
      socket.end();
      await closed(socket);
      const metrics = await plane.metrics.dataPlaneRegistry.getSingleMetricAsString('bollard_tls_passthrough_connections_total');
      expect(metrics).toContain('outcome="connected"} 1');
      const [line] = await log.count(1);
      expect(line).toMatchObject({ host: 'pass.test', status: 200, service: 'test/pass:80' });
      // The ClientHello and the encrypted "hello" went one way, the handshake and the echo the other.
      expect(line?.['bytesFromClient']).toEqual(expect.any(Number));
      expect(line?.['bytes']).toEqual(expect.any(Number));
      expect(Number(line?.['bytesFromClient'])).toBeGreaterThan(200);
      expect(Number(line?.['bytes'])).toBeGreaterThan(backendCert.certPem.length / 2);
    } finally {
      await plane.close();
    }
  });

  it('terminates TLS itself for a host without the annotation', async () => {
    const plane = await planeWith(true);
    try {
      const socket = await open(plane.httpsPort, 'term.test');
      expect(socket.getPeerCertificate().fingerprint256).toBe(bollardCert.fingerprint);
      socket.destroy();
    } finally {
      await plane.close();
    }
  });

  it('closes the connection when the host has no endpoint, or its endpoint refuses', async () => {
    const log = new PassthroughLog();
    const plane = await planeWith(true, log);
    try {
      await expect(open(plane.httpsPort, 'empty.test')).rejects.toThrow();
      await expect(open(plane.httpsPort, 'dead.test')).rejects.toThrow();
      const metrics = await plane.metrics.dataPlaneRegistry.getSingleMetricAsString('bollard_tls_passthrough_connections_total');
      expect(metrics).toContain('outcome="no_endpoints"} 1');
      expect(metrics).toContain('outcome="connect_error"} 1');
      const statuses = (await log.count(2)).map((l) => [l['host'], l['status']]);
      expect(statuses).toEqual([['empty.test', 503], ['dead.test', 502]]);
    } finally {
      await plane.close();
    }
  });

  it('closes open passthrough connections when the data plane closes after the drain period', async () => {
    const plane = await planeWith(true);
    const socket = await open(plane.httpsPort, 'pass.test');
    socket.write('still here');
    expect(await nextData(socket)).toBe('backend:still here');
    const gone = closed(socket);
    plane.drain();
    await plane.close();
    await gone;
    expect(socket.destroyed).toBe(true);
  });
});

describe('nginx ssl-passthrough without the flag', () => {
  it('terminates TLS with the host\'s certificate: the backend never sees the handshake', async () => {
    const plane = await planeWith(false);
    try {
      const socket = await open(plane.httpsPort, 'pass.test');
      expect(socket.getPeerCertificate().fingerprint256).toBe(bollardCert.fingerprint);
      socket.destroy();
    } finally {
      await plane.close();
    }
  });
});
