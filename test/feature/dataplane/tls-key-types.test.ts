// Every key type users bring is served over real sockets: RSA 2048/3072/4096, ECDSA P-256/P-384
// and Ed25519, × TLS 1.2 and 1.3, × ALPN h2 and http/1.1, × an exact host, a wildcard host, a
// certificate from the ACME store and the default certificate. All hosts share one listener
// whose default certificate is ECDSA: on TLS 1.3, Node's SNICallback served that default instead
// of any RSA certificate (nodejs/node#54235), and our tests, with EC keys only, never saw it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as h2connect } from 'node:http2';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { TlsCertificate } from '../../../src/routing/types.ts';
import { KEY_TYPES, selfSignedCertificate, type TestCertificate, type TestKeyType } from '../../harness/tls-keys.ts';
import { hostRoutes, route, startPlane, startUpstream, table, upstream, type TestUpstream } from './support.ts';

type Plane = Awaited<ReturnType<typeof startPlane>>;
type Version = 'TLSv1.2' | 'TLSv1.3';
type Alpn = 'h2' | 'http/1.1';

const label = (kt: TestKeyType): string => kt.toLowerCase();
const names = {
  exact: (kt: TestKeyType) => `exact-${label(kt)}.test`,
  wildcard: (kt: TestKeyType) => `*.wild-${label(kt)}.test`,
  acme: (kt: TestKeyType) => `acme-${label(kt)}.test`,
};

let web: TestUpstream;
let shared: Plane;
/** One plane per key type whose default certificate has that key type. */
const defaults = new Map<TestKeyType, Plane>();
const certs = new Map<string, TestCertificate>();
const cert = (name: string): TestCertificate => {
  const c = certs.get(name);
  if (c === undefined) throw new Error(`no test certificate ${name}`);
  return c;
};
const asTls = (name: string, c: TestCertificate): TlsCertificate => ({ secret: { namespace: 'test', name }, certPem: c.certPem, keyPem: c.keyPem });

beforeAll(async () => {
  web = await startUpstream('web', (_req, res) => { res.end('served'); });
  await Promise.all(KEY_TYPES.flatMap((kt) => [names.exact(kt), names.wildcard(kt), names.acme(kt), `default-${label(kt)}`].map(async (name) => {
    certs.set(name, await selfSignedCertificate(kt, [name]));
  })));
  const web$ = upstream('web', [web.endpoint]);
  const routes = Object.fromEntries(KEY_TYPES.flatMap((kt) => [names.exact(kt), names.acme(kt)]).map((h) => [h, hostRoutes(route('/', web$))]));
  const base = table(routes, Object.fromEntries(KEY_TYPES.map((kt) => [names.exact(kt), asTls(names.exact(kt), cert(names.exact(kt)))])));
  const wildcardRoutes = new Map(KEY_TYPES.map((kt) => [`wild-${label(kt)}.test`, hostRoutes(route('/', web$))]));
  const wildcardCerts = new Map(KEY_TYPES.map((kt) => [`wild-${label(kt)}.test`, asTls(names.wildcard(kt), cert(names.wildcard(kt)))]));
  const acme = new Map(KEY_TYPES.map((kt) => [names.acme(kt), asTls(`acme/${names.acme(kt)}`, cert(names.acme(kt)))]));
  shared = await startPlane({}, { certificates: (servername) => acme.get(servername) });
  shared.tables.publish({ ...base, wildcards: wildcardRoutes, tls: { hosts: base.tls.hosts, wildcards: wildcardCerts } });
  for (const kt of KEY_TYPES) {
    const d = cert(`default-${label(kt)}`);
    const plane = await startPlane({ tls: { defaultCertPem: d.certPem, defaultKeyPem: d.keyPem, minVersion: 'TLSv1.2', ciphers: undefined, sniStrict: false } });
    plane.tables.publish(table({ 'unknown.test': hostRoutes(route('/', web$)) }));
    defaults.set(kt, plane);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([shared, ...defaults.values()].map((p) => p.close()));
  await web.close();
});

interface Handshake { readonly socket: TLSSocket; readonly fingerprint: string; readonly protocol: string | null; readonly alpn: string | false }

function handshake(port: number, servername: string | undefined, version: Version, alpn: Alpn): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: version, maxVersion: version, ALPNProtocols: [alpn],
      ...(servername === undefined ? {} : { servername }),
    }, () => {
      resolve({ socket, fingerprint: socket.getPeerCertificate().fingerprint256, protocol: socket.getProtocol(), alpn: socket.alpnProtocol ?? false });
    });
    socket.once('error', reject);
  });
}

/** One request on the established connection, in the protocol ALPN chose; the response status and body. */
function request(socket: TLSSocket, host: string, alpn: Alpn): Promise<string> {
  if (alpn === 'h2') {
    return new Promise((resolve, reject) => {
      const session = h2connect(`https://${host}`, { createConnection: () => socket });
      const stream = session.request({ ':path': '/', ':authority': host });
      let body = '';
      let status = 0;
      stream.on('response', (headers) => { status = Number(headers[':status']); });
      stream.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => {
        session.close();
        resolve(`${status} ${body}`);
      });
      stream.on('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    let raw = '';
    socket.setEncoding('utf8').on('data', (d: string) => { raw += d; });
    socket.on('end', () => { resolve(`${raw.slice('HTTP/1.1 '.length, 'HTTP/1.1 200'.length)} ${raw.slice(raw.indexOf('\r\n\r\n') + 4)}`); });
    socket.on('error', reject);
    socket.write(`GET / HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);
  });
}

const matrix = KEY_TYPES.flatMap((kt) => (['TLSv1.2', 'TLSv1.3'] as const).flatMap((version) => (['h2', 'http/1.1'] as const).map((alpn) => ({ kt, version, alpn }))));

describe.each(matrix)('$kt over $version with ALPN $alpn', ({ kt, version, alpn }) => {
  const expectServed = async (port: number, servername: string | undefined, certificate: TestCertificate, host: string): Promise<void> => {
    const h = await handshake(port, servername, version, alpn);
    expect({ fingerprint: h.fingerprint, protocol: h.protocol, alpn: h.alpn }).toEqual({ fingerprint: certificate.fingerprint, protocol: version, alpn });
    expect(await request(h.socket, host, alpn)).toBe('200 served');
  };

  it('serves an exact host its own certificate', async () => {
    await expectServed(shared.httpsPort, names.exact(kt), cert(names.exact(kt)), names.exact(kt));
  });

  it('serves a wildcard host its certificate', async () => {
    const host = `a.wild-${label(kt)}.test`;
    await expectServed(shared.httpsPort, host, cert(names.wildcard(kt)), host);
  });

  it('serves a certificate from the ACME store', async () => {
    await expectServed(shared.httpsPort, names.acme(kt), cert(names.acme(kt)), names.acme(kt));
  });

  it('serves the default certificate to an unknown name and to a client without SNI', async () => {
    const plane = defaults.get(kt);
    if (plane === undefined) throw new Error('no plane');
    await expectServed(plane.httpsPort, 'unknown.test', cert(`default-${label(kt)}`), 'unknown.test');
    await expectServed(plane.httpsPort, undefined, cert(`default-${label(kt)}`), 'unknown.test');
  });
});

describe('certificate choice metric', () => {
  it('counts connections served their own certificate and those given the default', async () => {
    const before = await count('default_unknown_name');
    const h = await handshake(shared.httpsPort, 'nobody.test', 'TLSv1.3', 'http/1.1');
    h.socket.destroy();
    expect(await count('default_unknown_name') - before).toBe(1);
    expect(await count('sni')).toBeGreaterThan(0);
  });
});

async function count(choice: string): Promise<number> {
  const { values } = await shared.metrics.tlsCertificateChoices.get();
  return values.find((v) => v.labels.choice === choice)?.value ?? 0;
}
