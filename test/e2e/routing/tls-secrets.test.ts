// TLS Secrets end to end, with the inputs users have: an RSA-2048 Secret (cert-manager's default
// key type) made by openssl, put through the real API server, served by a real Bollard process,
// and checked with openssl s_client on TLS 1.3 and 1.2 — the reproduction of the bug where RSA
// Secrets got the default ECDSA certificate on TLS 1.3 — and by a verifying HTTPS client. A Secret
// whose key does not belong to its certificate is a Warning Event, never a silent default.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { startBollard, type BollardProcess } from '../../harness/bollard-process.ts';
import { createTestNamespace, deleteTestNamespace, dumpingOnFailure, kubectl, loadE2eEnv, startBackend, type Backend } from '../../harness/e2e-env.ts';
import { selfSignedCertificate, type TestCertificate } from '../../harness/tls-keys.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { endpointSlice, ingress, ingressClass, list, service } from '../../support/manifests.ts';

const CONTROLLER = 'bollard.io/ingress-controller';
const HOST = 'rsa.tls.example.test';
const BROKEN = 'broken.tls.example.test';
let ns = '';
let bollard: BollardProcess;
let web: Backend;
let rsa: TestCertificate;

const tlsSecret = (name: string, c: { certPem: string; keyPem: string }) => ({
  apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { namespace: ns, name },
  stringData: { 'tls.crt': c.certPem, 'tls.key': c.keyPem },
});
const withTls = (obj: ReturnType<typeof ingress>, hosts: string[], secretName: string) => ({ ...obj, spec: { ...obj.spec, tls: [{ hosts, secretName }] } });

beforeAll(async () => {
  const env = await loadE2eEnv();
  ns = await createTestNamespace('tls');
  web = await startBackend('web');
  const [rsaCert, other] = await Promise.all([selfSignedCertificate('RSA-2048', [HOST]), selfSignedCertificate('RSA-2048', [BROKEN])]);
  rsa = rsaCert;
  await kubectl(['apply', '-f', '-'], list(
    ingressClass('bollard', CONTROLLER),
    service(ns, 'web', [{ port: 80 }]),
    endpointSlice(ns, 'web-1', 'web', { port: web.port }, [{ ip: web.ip }]),
    tlsSecret('rsa-tls', rsa),
    tlsSecret('broken-tls', { certPem: other.certPem, keyPem: rsa.keyPem }),
    withTls(ingress(ns, 'rsa', { className: 'bollard', host: HOST, paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }), [HOST], 'rsa-tls'),
    withTls(ingress(ns, 'broken', { className: 'bollard', host: BROKEN, paths: [{ path: '/', pathType: 'Prefix', service: 'web', port: 80 }] }), [BROKEN], 'broken-tls'),
  ));
  bollard = await startBollard({ kubeconfig: env.kubeconfig, args: ['--watch-namespaces', ns, '--election-namespace', ns, '--election-id', 'bollard'] });
}, 60_000);

afterAll(async () => {
  await bollard.stop();
  await web.stop();
  await deleteTestNamespace(ns);
});

/** The subject openssl s_client sees for `servername` with exactly `version`. */
function servedSubject(port: number, servername: string, version: '-tls1_2' | '-tls1_3'): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', servername, version], (_err, stdout) => {
      resolve(/^subject=(.*)$/m.exec(stdout)?.[1]?.trim() ?? '');
    });
    child.stdin?.end();
  });
}

/** GET / over HTTPS (TLS 1.3), verifying the chain against `ca`; the status. */
function verifiedGet(port: number, host: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, servername: host, path: '/', headers: { host }, ca, minVersion: 'TLSv1.3', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject).end();
  });
}

describe('TLS Secrets with RSA keys', () => {
  it('serves an RSA-2048 Secret on TLS 1.3 and 1.2, to a verifying client', dumpingOnFailure(() => ns, async () => {
    const subject = await waitFor(async () => {
      const s = await servedSubject(bollard.httpsPort, HOST, '-tls1_3');
      return s.includes(HOST) ? s : undefined;
    }, { what: `the RSA certificate for ${HOST} on TLS 1.3`, timeoutMs: 15_000, intervalMs: 50 });
    expect(subject).toBe(`CN = ${HOST}`);
    expect(await servedSubject(bollard.httpsPort, HOST, '-tls1_2')).toBe(`CN = ${HOST}`);
    expect(await verifiedGet(bollard.httpsPort, HOST, rsa.certPem)).toBe(200);
  }), 30_000);

  it('reports a Secret whose key does not belong to its certificate as a Warning Event and a log line', dumpingOnFailure(() => ns, async () => {
    const message = await waitFor(async () => {
      const out = await kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=broken,reason=InvalidTLSSecret', '-o', 'jsonpath={.items[*].message}']);
      return out === '' ? undefined : out;
    }, { what: 'InvalidTLSSecret event on broken', timeoutMs: 15_000 });
    expect(message).toContain('tls.key of secret "broken-tls" does not belong to the certificate in tls.crt');
    expect(bollard.logs.some((l) => l.msg === 'ingress problem' && l.reason === 'InvalidTLSSecret' && l.ingress === `${ns}/broken`)).toBe(true);
    expect(await servedSubject(bollard.httpsPort, BROKEN, '-tls1_3')).toBe('CN = bollard-default.invalid');
  }), 30_000);
});
