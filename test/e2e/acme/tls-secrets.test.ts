// Certificates written into the Ingresses' TLS Secrets, against the real API server, etcd and
// Pebble: created with Bollard's label, never over a Secret Bollard does not manage (an Event
// instead), nor into a Secret several hosts share; updated on renewal; the label keeps the host
// ACME's after a restart that finds no certificate in etcd; nothing written with the flag off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { parseMeta } from '../../../src/acme/certificate.ts';
import { certificateKeys } from '../../../src/acme/keys.ts';
import { dumpingOnFailure, kubectl } from '../../harness/e2e-env.ts';
import { openssl } from '../../harness/openssl.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { decoded, getSecret, startAcmeReplica, startAcmeWorld, tlsIngress, waitEvent, waitLeader, type AcmeReplica, type AcmeWorld } from './acme-e2e.ts';

let w: AcmeWorld;
let ns = '';
const D = 'e2e-secrets.bollard.test';

const replica = async (id: string, ...more: Parameters<typeof startAcmeReplica> extends [unknown, unknown, ...infer R] ? R : never): Promise<AcmeReplica> => {
  const r = await startAcmeReplica(w.env, id, ...more);
  w.replicas.push(r);
  w.front.route(w.replicas.map((x, i) => ({ id: `r${i}`, handle: x.acme.handleHttp01 })));
  return r;
};
const stopAll = async (): Promise<void> => { await Promise.all(w.replicas.splice(0).map((r) => r.acme.stop())); };

beforeAll(async () => {
  w = await startAcmeWorld({ namespace: 'acme-secrets', tmpPrefix: 'bollard-e2e-secrets-' });
  ns = w.namespace;
}, 90_000);

afterAll(async () => {
  await w.stop();
}, 60_000);

const apply = (obj: object): Promise<string> => kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj));
const managedSecret = (name: string) => waitFor(async () => {
  const s = await getSecret(ns, name);
  return s?.metadata.labels?.['app.kubernetes.io/managed-by'] === 'bollard' ? s : undefined;
}, { what: `managed Secret ${name}`, timeoutMs: 20_000 });

async function selfSignedTlsSecret(name: string, host: string): Promise<void> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${host}`], w.dir);
  await kubectl(['create', 'secret', 'tls', name, '-n', ns, '--cert', join(w.dir, `${name}.crt`), '--key', join(w.dir, `${name}.key`)]);
}

describe('ACME certificates in TLS Secrets', () => {
  it('creates the Ingress\'s TLS Secret with the certificate from etcd, labelled as Bollard\'s; only the leader writes', dumpingOnFailure(() => ns, async () => {
    const [a, b] = [await replica('secrets-a'), await replica('secrets-b')];
    const leader = await waitLeader([a, b]);
    await apply(tlsIngress(ns, 'web', [{ hosts: [`web.${D}`], secretName: 'web-tls' }]));
    const secret = await managedSecret('web-tls');
    const keys = certificateKeys(`web.${D}`);
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(decoded(secret, 'tls.crt')).toBe((await leader.acme.storage.load(keys.cert)).toString());
    expect(decoded(secret, 'tls.key')).toBe((await leader.acme.storage.load(keys.key)).toString());
    expect(secret.metadata.annotations?.['bollard.io/acme-certificate']).toBe(`web.${D}`);
    expect(secret.metadata.annotations?.['bollard.io/acme-serial']).toBe(new X509Certificate(decoded(secret, 'tls.crt')).serialNumber);
    // The follower watched the same change and wrote nothing: the Secret was written once.
    await Promise.all([a.acme.secretsIdle(), b.acme.secretsIdle()]);
    expect((await getSecret(ns, 'web-tls'))?.metadata.resourceVersion).toBe(secret.metadata.resourceVersion);
  }), 45_000);

  it('never overwrites a Secret it does not manage, nor one several hosts share: an Event instead', dumpingOnFailure(() => ns, async () => {
    await kubectl(['create', 'secret', 'generic', 'opaque-tls', '-n', ns, '--from-literal=password=hunter2']);
    await selfSignedTlsSecret('user-tls', `user.${D}`);
    const userBefore = await getSecret(ns, 'user-tls');
    await apply(tlsIngress(ns, 'opaque', [{ hosts: [`opaque.${D}`], secretName: 'opaque-tls' }]));
    await apply(tlsIngress(ns, 'user', [{ hosts: [`user.${D}`], secretName: 'user-tls' }], { 'bollard.io/acme': 'true' }));
    await apply(tlsIngress(ns, 'shared', [{ hosts: [`one.${D}`, `two.${D}`], secretName: 'shared-tls' }]));
    const opaque = await waitEvent(ns, 'opaque', 'AcmeSecretNotManaged', 30_000);
    expect(opaque.message).toMatch(/Secret .*opaque-tls \(type Opaque\) exists without the label app.kubernetes.io\/managed-by=bollard/);
    expect((await waitEvent(ns, 'user', 'AcmeSecretNotManaged', 30_000)).message).toContain('user-tls');
    expect((await waitEvent(ns, 'shared', 'AcmeSecretShared', 30_000)).message).toContain(`one.${D}, two.${D}`);
    const leader = await waitLeader(w.replicas);
    // The certificates were issued and are served from etcd; the Secrets are untouched.
    await waitFor(() => Promise.resolve(leader.acme.certificates.lookup(`user.${D}`) && leader.acme.certificates.lookup(`one.${D}`) ? true : undefined), { what: 'certificates served', timeoutMs: 20_000 });
    const opaqueAfter = await getSecret(ns, 'opaque-tls');
    expect(opaqueAfter?.type).toBe('Opaque');
    expect(opaqueAfter?.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    expect((await getSecret(ns, 'user-tls'))?.metadata.resourceVersion).toBe(userBefore?.metadata.resourceVersion);
    expect(await getSecret(ns, 'shared-tls')).toBeUndefined();
  }), 50_000);

  it('updates the Secret when the certificate is renewed', dumpingOnFailure(() => ns, async () => {
    await stopAll();
    const before = await managedSecret('web-tls');
    const meta = parseMeta(await (await w.fx.open('reader', { prefix: `/bollard-e2e/${ns}/` })).storage.load(certificateKeys(`web.${D}`).meta));
    if (!meta) throw new Error('no meta');
    const skew = Date.parse(meta.renewAt) - Date.now() + 60_000;
    const r = await replica('secrets-future', {}, { now: () => Date.now() + skew });
    await waitLeader([r]);
    const after = await waitFor(async () => {
      const s = await getSecret(ns, 'web-tls');
      return s && s.metadata.annotations?.['bollard.io/acme-serial'] !== meta.serial ? s : undefined;
    }, { what: 'renewed certificate in web-tls', timeoutMs: 30_000 });
    expect(after.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('bollard');
    expect(new X509Certificate(decoded(after, 'tls.crt')).serialNumber).not.toBe(new X509Certificate(decoded(before, 'tls.crt')).serialNumber);
    expect(await waitEvent(ns, 'web', 'AcmeCertificateRenewed')).toBeDefined();
  }), 45_000);

  it('after a restart that finds no certificate in etcd, the label keeps the host ACME\'s; a foreign Secret keeps its host out', dumpingOnFailure(() => ns, async () => {
    await stopAll();
    await selfSignedTlsSecret('foreign-tls', `foreign.${D}`);
    await apply(tlsIngress(ns, 'foreign', [{ hosts: [`foreign.${D}`], secretName: 'foreign-tls' }]));
    const before = await w.pebble.orders();
    const r = await replica('secrets-fresh', { etcdPrefix: `/bollard-e2e/${ns}-fresh/` });
    await waitLeader([r]);
    // web-tls exists and carries the label: web is still ordered (and the Secret rewritten), like
    // the hosts without a usable TLS Secret; foreign-tls has no label, so foreign is left alone.
    const wanted = ['web', 'opaque', 'user', 'one', 'two'].map((h) => `${h}.${D}`);
    await waitFor(() => Promise.resolve(wanted.every((n) => r.acme.certificates.lookup(n)?.name === n) ? true : undefined), { what: 'certificates in the empty etcd', timeoutMs: 30_000 });
    expect(r.acme.certificates.lookup(`foreign.${D}`)).toBeUndefined();
    expect(await w.pebble.orders()).toBe(before + wanted.length);
    const secret = await waitFor(async () => {
      const s = await getSecret(ns, 'web-tls');
      return s && decoded(s, 'tls.crt') === r.acme.certificates.lookup(`web.${D}`)?.certPem ? s : undefined;
    }, { what: 'web-tls holding the new certificate', timeoutMs: 15_000 });
    expect(secret.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('bollard');
  }), 45_000);

  it('writes nothing with acmeWriteTlsSecrets false', dumpingOnFailure(() => ns, async () => {
    await stopAll();
    const r = await replica('secrets-off', { acmeWriteTlsSecrets: false });
    await waitLeader([r]);
    await apply(tlsIngress(ns, 'off', [{ hosts: [`off.${D}`], secretName: 'off-tls' }]));
    await waitFor(() => Promise.resolve(r.acme.certificates.lookup(`off.${D}`) ? true : undefined), { what: 'certificate for off', timeoutMs: 20_000 });
    await r.acme.secretsIdle();
    expect(await getSecret(ns, 'off-tls')).toBeUndefined();
  }), 30_000);
});
