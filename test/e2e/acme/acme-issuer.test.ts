// The AcmeIssuer resource against the real API server, Pebble (EAB required, one name blocked)
// and etcd: the replica orders through the AcmeIssuer named by acmeIssuer — its directory, email,
// EAB key from a Secret and key type — and the leader writes its Ready condition; each bad input
// (an email the CA refuses, a URL that is no directory, a directory that does not answer, a
// missing EAB Secret, a rejected order) is a clear status, Event and back-off while the
// certificates already issued keep being served; fixing the spec makes it ready again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { dumpingOnFailure, kubectl } from '../../harness/e2e-env.ts';
import { freePort } from '../../harness/free-port.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startAcmeReplica, startAcmeWorld, tlsIngress, waitEvent, waitLeader, type AcmeReplica, type AcmeWorld } from './acme-e2e.ts';

const EAB = { kid: 'kid-e2e', hmacKey: randomBytes(32).toString('base64url') };
const D = 'e2e-issuer.bollard.test';
let w: AcmeWorld;
let ns = '';
let issuer = '';
let replica: AcmeReplica;

interface Ready { status: string; reason: string; message: string; observedGeneration?: number }

async function readyCondition(): Promise<{ ready?: Ready; accountURI?: string; generation: number }> {
  const obj = JSON.parse(await kubectl(['get', 'acmeissuer', issuer, '-o', 'json'])) as { metadata: { generation: number }; status?: { conditions?: (Ready & { type: string })[]; accountURI?: string } };
  const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
  return { generation: obj.metadata.generation, ...(ready ? { ready } : {}), ...(obj.status?.accountURI ? { accountURI: obj.status.accountURI } : {}) };
}

/** Waits until Ready has `reason` for the current generation; returns the condition. */
const waitReady = (reason: string, timeoutMs = 15_000): Promise<Ready> => waitFor(async () => {
  const c = await readyCondition();
  return c.ready?.reason === reason && c.ready.observedGeneration === c.generation ? c.ready : undefined;
}, { what: `Ready reason ${reason}`, timeoutMs });

const patchSpec = (spec: Record<string, unknown>): Promise<string> => kubectl(['patch', 'acmeissuer', issuer, '--type=merge', '-p', JSON.stringify({ spec })]);

beforeAll(async () => {
  w = await startAcmeWorld({
    namespace: 'acme-issuer', tmpPrefix: 'bollard-e2e-issuer-', issuerPrefix: 'e2e', directoryUrl: 'https://unused.invalid/directory',
    pebble: { externalAccountMACKeys: { [EAB.kid]: EAB.hmacKey }, domainBlocklist: [`blocked.${D}`] },
    prepare: async ({ namespace, issuer: name, pebble }) => {
      await kubectl(['create', 'secret', 'generic', 'eab', '-n', namespace, `--from-literal=hmacKey=${EAB.hmacKey}`]);
      await kubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'bollard.io/v1alpha1', kind: 'AcmeIssuer', metadata: { name },
        spec: { directory: pebble.directoryUrl, email: 'ops@bollard.test', keyType: 'ECDSA-P384', externalAccountBinding: { keyID: EAB.kid, hmacKeySecretRef: { name: 'eab', namespace } } },
      }));
    },
  });
  ({ namespace: ns, issuer } = w);
  replica = await startAcmeReplica(w.env, 'issuer-a', { acmeIssuer: issuer }, { issuerRetry: { baseMs: 400, maxMs: 1500 }, directoryTimeoutMs: 2000 });
  w.replicas.push(replica);
  w.front.route([{ id: 'a', handle: replica.acme.handleHttp01 }]);
}, 90_000);

afterAll(async () => {
  await w.stop();
}, 60_000);

describe('AcmeIssuer', () => {
  it('orders through it: Ready with the account URI, EAB from its Secret, certificates with its key type', dumpingOnFailure(() => ns, async () => {
    await waitLeader([replica]);
    const ready = await waitReady('AccountReady');
    expect(ready.status).toBe('True');
    expect((await readyCondition()).accountURI).toMatch(/\/my-account\//);
    expect((await waitEvent('default', issuer, 'AccountReady')).type).toBe('Normal');
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(tlsIngress(ns, 'web', [{ hosts: [`web.${D}`], secretName: 'web-tls' }])));
    const served = await waitFor(() => Promise.resolve(replica.acme.certificates.lookup(`web.${D}`)), { what: 'certificate for web', timeoutMs: 20_000 });
    const key = createPrivateKey(served.keyPem);
    expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve]).toEqual(['ec', 'secp384r1']);
  }), 45_000);

  it('a rejected order: AcmeOrderFailed with the CA\'s text on the Ingress, backed off; the other name is issued', dumpingOnFailure(() => ns, async () => {
    await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(tlsIngress(ns, 'mixed', [{ hosts: [`blocked.${D}`], secretName: 'blocked-tls' }, { hosts: [`fine.${D}`], secretName: 'fine-tls' }])));
    const failed = await waitEvent(ns, 'mixed', 'AcmeOrderFailed', 20_000);
    expect(failed.type).toBe('Warning');
    expect(failed.message).toMatch(new RegExp(`blocked\\.${D.replaceAll('.', '\\.')}.*attempt 1, next at .*(rejectedIdentifier|blocked|polic)`, 'i'));
    await waitFor(() => Promise.resolve(replica.acme.certificates.lookup(`fine.${D}`)), { what: 'certificate for fine', timeoutMs: 20_000 });
    expect(await replica.acme.ensure(`blocked.${D}`)).toBe('backoff');
  }), 45_000);

  it('an email the CA refuses, a URL that is no directory, a silent directory, a missing EAB Secret: status, Event, back-off; serving goes on; fixed, ready again', dumpingOnFailure(() => ns, async () => {
    const good = { directory: w.pebble.directoryUrl, email: 'ops@bollard.test', externalAccountBinding: { keyID: EAB.kid, hmacKeySecretRef: { name: 'eab', namespace: ns } } };
    await patchSpec({ email: 'opś@bollard.test' });
    const email = await waitReady('AccountRegistrationFailed');
    expect([email.status, email.message]).toEqual(['False', expect.stringMatching(/opś@bollard\.test.*non-ASCII/)]);
    expect((await waitEvent('default', issuer, 'AccountRegistrationFailed')).message).toContain('non-ASCII');
    expect((await waitEvent(ns, 'web', 'AcmeIssuerNotReady')).message).toMatch(/AccountRegistrationFailed/);
    expect(await replica.acme.ensure(`web.${D}`)).toBe('inactive');
    expect(replica.acme.certificates.lookup(`web.${D}`)).toBeDefined();

    await patchSpec({ ...good, directory: w.pebble.directoryUrl.replace(/\/dir$/, '/no-such-directory') });
    expect((await waitReady('DirectoryInvalid')).message).toMatch(/answered HTTP 404/);

    await patchSpec({ ...good, directory: `https://127.0.0.1:${await freePort()}/dir` });
    expect((await waitReady('DirectoryUnreachable')).message).toMatch(/unreachable: .*ECONNREFUSED/);
    // Retried with a back-off: the status counts the attempts.
    await waitFor(async () => ((await readyCondition()).ready?.message.match(/attempt ([3-9]|\d\d+); next at/) ? true : undefined), { what: 'a third attempt', timeoutMs: 10_000 });

    await patchSpec({ ...good, externalAccountBinding: { keyID: EAB.kid, hmacKeySecretRef: { name: 'no-such-secret', namespace: ns } } });
    expect((await waitReady('SecretNotFound')).message).toContain(`${ns}/no-such-secret does not exist`);

    await patchSpec(good);
    expect((await waitReady('AccountReady')).status).toBe('True');
    expect(['valid', 'issued']).toContain(await replica.acme.ensure(`web.${D}`));
  }), 50_000);

  it('an AcmeIssuer that does not exist: IssuerNotFound, nothing ordered', dumpingOnFailure(() => ns, async () => {
    const before = await w.pebble.orders();
    const lone = await startAcmeReplica(w.env, 'issuer-missing', { acmeIssuer: `missing-${ns}`, etcdPrefix: `/bollard-e2e/${ns}-missing/` });
    try {
      await waitLeader([lone]);
      const s = await waitFor(() => Promise.resolve(lone.acme.issuerState()), { what: 'issuer state', timeoutMs: 10_000 });
      expect(s.ready ? '' : s.error.reason).toBe('IssuerNotFound');
      expect(await lone.acme.ensure(`web.${D}`)).toBe('inactive');
      expect(await w.pebble.orders()).toBe(before);
    } finally {
      await lone.acme.stop();
    }
  }), 30_000);
});
