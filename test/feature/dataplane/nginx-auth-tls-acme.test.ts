// nginx auth-tls on a host whose certificate comes from ACME (spec.tls naming no Secret): the table
// has no certificate for it, only its validation (TlsTable.clientValidations), and the data plane
// asks for a client certificate on the ACME certificate's handshake. Before, such a host never
// asked, so with `on` every request got 400. Real sockets, RSA-2048 throughout; the ACME store is
// the data plane's narrow CertificateSource.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { TlsCertificate } from '../../../src/routing/types.ts';
import { buildAnnotated, type IngressSpec } from './annotated-table.ts';
import { startPlane, startUpstream, tlsFixture, type TestUpstream } from './support.ts';

const N = 'nginx.ingress.kubernetes.io/';
const HOSTS = { on: 'acme-on.example.com', optional: 'acme-optional.example.com', off: 'acme-off.example.com' } as const;

interface Answer { readonly status: number; readonly text: string; readonly peerFingerprint: string | undefined }

let plane: Awaited<ReturnType<typeof startPlane>>;
let web: TestUpstream;
let acme: TlsCertificate;
let client: { readonly cert: string; readonly key: string };
let validatedHosts: readonly string[] = [];
let withoutAcme: readonly string[] = [];

const site = (name: string, host: string, verify: string): IngressSpec => ({
  name, host, tls: true, annotations: { [`${N}auth-tls-secret`]: 'ca-a', [`${N}auth-tls-verify-client`]: verify },
});

beforeAll(async () => {
  web = await startUpstream('web');
  acme = { secret: { namespace: 'acme', name: 'store' }, certPem: await tlsFixture('rsa-2048-a.crt'), keyPem: await tlsFixture('rsa-2048-a.key') };
  client = { cert: await tlsFixture('client-a.crt'), key: await tlsFixture('client-a.key') };
  const sites = [site('on', HOSTS.on, 'on'), site('optional', HOSTS.optional, 'optional'), site('off', HOSTS.off, 'off')];
  const secrets = [{ name: 'ca-a', stringData: { 'ca.crt': await tlsFixture('client-ca-a.crt') } }];
  // --acme-enabled: an entry naming no Secret is ACME's, not a missing Secret.
  const built = buildAnnotated(sites, [web.endpoint], secrets, { acme: true });
  expect(built.diagnostics).toEqual([]);
  withoutAcme = buildAnnotated(sites, [web.endpoint], secrets).diagnostics.map((d) => `${d.ingress.name} ${d.reason}`);
  validatedHosts = [...built.table.tls.clientValidations?.hosts.keys() ?? []];
  plane = await startPlane({}, { certificates: (servername) => (Object.values<string>(HOSTS).includes(servername) ? acme : undefined) });
  plane.tables.publish(built.table);
}, 60_000);

afterAll(async () => {
  await plane.close();
  await web.close();
});

function ask(host: string, withCertificate: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const tls = { servername: host, rejectUnauthorized: false, ...(withCertificate ? client : {}) };
    const req = request({ host: '127.0.0.1', port: plane.httpsPort, path: '/', headers: { host }, agent: false, ...tls }, (res) => {
      const peer = res.socket as unknown as { getPeerCertificate(): { fingerprint256?: string } };
      const peerFingerprint = peer.getPeerCertificate().fingerprint256;
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, text, peerFingerprint }); });
    });
    req.on('error', reject);
    req.end();
  });
}

const verdictOf = (answer: Answer): unknown => (JSON.parse(answer.text) as { headers: Record<string, string> }).headers['ssl-client-verify'];

describe('auth-tls on an ACME host', () => {
  it('the table keeps the validation of the hosts that ask for a certificate, with no certificate of their own', () => {
    expect(validatedHosts).toEqual([HOSTS.on, HOSTS.optional]);
  });

  it('without ACME the same entries are reported: their hosts get the default certificate', () => {
    expect(withoutAcme).toEqual(['off TLSSecretNotFound', 'on TLSSecretNotFound', 'optional TLSSecretNotFound']);
  });

  it('on: the ACME certificate answers and asks for the client\'s; a verified one gets through, none gets 400', async () => {
    const verified = await ask(HOSTS.on, true);
    expect(verified.status).toBe(200);
    expect(verdictOf(verified)).toBe('SUCCESS');
    expect(verified.peerFingerprint).toBe(new X509Certificate(acme.certPem).fingerprint256);
    expect(await ask(HOSTS.on, false)).toMatchObject({ status: 400, text: 'No required SSL certificate was sent\n' });
  });

  it('optional: with a certificate SUCCESS, without one NONE', async () => {
    expect(verdictOf(await ask(HOSTS.optional, true))).toBe('SUCCESS');
    expect(verdictOf(await ask(HOSTS.optional, false))).toBe('NONE');
  });

  it('off: nothing is asked for, a certificate offered is not looked at', async () => {
    expect(verdictOf(await ask(HOSTS.off, true))).toBe('NONE');
  });
});
