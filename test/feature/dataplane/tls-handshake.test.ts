// The HTTPS listener reads the ClientHello itself before the TLS library sees it: a hello that
// arrives a byte at a time in one-byte records still gets its host's certificate; a name no
// certificate covers is refused with unrecognized_name under sniStrict; what is not TLS is
// refused and counted; a connection that never finishes its handshake is idle at shutdown.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { selfSignedCertificate, type TestCertificate } from '../../harness/tls-keys.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

type Plane = Awaited<ReturnType<typeof startPlane>>;

let web: TestUpstream;
let plane: Plane;
let strict: Plane;
let shop: TestCertificate;

const shopTable = () => table({ 'shop.test': hostRoutes(route('/', upstream('web', [web.endpoint]))) }, {
  'shop.test': { secret: { namespace: 'test', name: 'shop' }, certPem: shop.certPem, keyPem: shop.keyPem },
});

beforeAll(async () => {
  web = await startUpstream('web');
  shop = await selfSignedCertificate('RSA-2048', ['shop.test']);
  const fallback = await selfSignedCertificate('ECDSA-P256', ['default.invalid']);
  plane = await startPlane();
  plane.tables.publish(shopTable());
  strict = await startPlane({ tls: { defaultCertPem: fallback.certPem, defaultKeyPem: fallback.keyPem, minVersion: 'TLSv1.2', ciphers: undefined, sniStrict: true } });
  strict.tables.publish(shopTable());
}, 30_000);

afterAll(async () => {
  await Promise.all([plane.close(), strict.close()]);
  await web.close();
});

/**
 * A TCP relay in front of `port` that re-cuts the client's first TLS record into one-byte records
 * and sends them one write at a time; everything after passes through untouched.
 */
async function drippingRelay(port: number): Promise<Server> {
  const relay = createServer((client: Socket) => {
    const upstreamSocket = netConnect({ host: '127.0.0.1', port });
    upstreamSocket.setNoDelay(true);
    let first = true;
    client.on('data', (chunk: Buffer) => {
      if (!first) {
        upstreamSocket.write(chunk);
        return;
      }
      first = false;
      const length = chunk.readUInt16BE(3);
      for (const byte of chunk.subarray(5, 5 + length)) upstreamSocket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x01, byte]));
      if (chunk.length > 5 + length) upstreamSocket.write(chunk.subarray(5 + length));
    });
    upstreamSocket.pipe(client);
    client.on('close', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return relay;
}

function peer(port: number, servername: string): Promise<{ fingerprint: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
      resolve({ fingerprint: socket.getPeerCertificate().fingerprint256 });
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => { resolve({ error: err.code ?? err.message }); });
  });
}

async function handshakeErrors(p: Plane, code: string): Promise<number> {
  const { values } = await p.metrics.tlsHandshakeErrors.get();
  return values.find((v) => v.labels.code === code)?.value ?? 0;
}

describe('the HTTPS listener reads the ClientHello itself', () => {
  it('serves the host its certificate when the hello arrives in one-byte records, one write each', async () => {
    const relay = await drippingRelay(plane.httpsPort);
    try {
      expect(await peer((relay.address() as AddressInfo).port, 'shop.test')).toEqual({ fingerprint: shop.fingerprint });
    } finally {
      relay.close();
    }
  });

  it('under sniStrict, answers a name no certificate covers with the unrecognized_name alert', async () => {
    const before = await handshakeErrors(strict, 'ERR_SNI_UNRECOGNIZED_NAME');
    expect(await peer(strict.httpsPort, 'other.test')).toEqual({ error: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME' });
    expect(await handshakeErrors(strict, 'ERR_SNI_UNRECOGNIZED_NAME') - before).toBe(1);
    expect(await peer(strict.httpsPort, 'shop.test')).toEqual({ fingerprint: shop.fingerprint });
  });

  it('refuses plain HTTP sent to the HTTPS port, and counts it', async () => {
    const before = (await plane.metrics.tlsHandshakeErrors.get()).values.reduce((n, v) => n + v.value, 0);
    const socket = netConnect({ host: '127.0.0.1', port: plane.httpsPort });
    socket.write('GET / HTTP/1.1\r\nhost: shop.test\r\n\r\n');
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    const after = (await plane.metrics.tlsHandshakeErrors.get()).values.reduce((n, v) => n + v.value, 0);
    expect(after - before).toBe(1);
  });

  it('closes a connection still in its handshake at shutdown', async () => {
    const p = await startPlane();
    const socket = netConnect({ host: '127.0.0.1', port: p.httpsPort });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => { /* reset by the closing server */ });
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])); // a hello that never completes
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    await p.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
