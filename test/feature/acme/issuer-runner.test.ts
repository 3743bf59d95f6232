// The issuer runner against a real Pebble (external account binding required, one name on its
// blocklist) and a real etcd: nothing is ordered until the issuer checks out; each bad input —
// no EAB, a non-ASCII email, a URL that is no directory, a directory that does not answer, a
// rejected order — is one clear problem with the CA's text, retried with a back-off, and touches
// nothing else; with EAB and RSA-2048 from the settings, certificates are issued.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { trustAcmeDirectoryCa } from '../../../src/acme/acme-client.ts';
import { loadBackoff } from '../../../src/acme/backoff.ts';
import { realTimers } from '../../../src/acme/due-queue.ts';
import { flagsProfile, type IssuerProfile } from '../../../src/acme/issuer-profile.ts';
import { createIssuerRunner, type IssuerRunner, type IssuerState } from '../../../src/acme/issuer-runner.ts';
import { certificateKeys } from '../../../src/acme/keys.ts';
import { createAcmeMetrics } from '../../../src/acme/metrics.ts';
import type { IngressEvent } from '../../../src/kube/events.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { freePort } from '../../harness/free-port.ts';
import { startPebble, type Pebble } from '../../harness/pebble.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';
import { startReplica, issuerOptions, type TestReplica } from './replica.ts';
import { startValidationFront, type ValidationFront } from './validation-front.ts';

const EAB = { kid: 'kid-bollard', hmacKey: randomBytes(32).toString('base64url') };
const D = 'runner.bollard.test';
let fx: EtcdFixture;
let pebble: Pebble;
let front: ValidationFront;
let answerer: TestReplica;
let dir: string;
const running: IssuerRunner[] = [];

interface Harness {
  readonly runner: IssuerRunner;
  readonly states: IssuerState[];
  readonly events: { name: string; event: IngressEvent }[];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bollard-acme-runner-'));
  front = await startValidationFront();
  [fx, pebble] = await Promise.all([
    startEtcdFixture(),
    startPebble({ dir, validationPort: front.port, externalAccountMACKeys: { [EAB.kid]: EAB.hmacKey }, domainBlocklist: [`blocked.${D}`] }),
  ]);
  trustAcmeDirectoryCa(pebble.caPem);
  answerer = await startReplica(fx, 'answerer', issuerOptions(pebble.directoryUrl, 'unused@bollard.test'));
  front.route([answerer]);
}, 60_000);

afterAll(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  await answerer.close();
  await front.close();
  await pebble.stop();
  await fx.stop();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

async function leaderRunner(id: string, profile: IssuerProfile): Promise<Harness> {
  const { storage } = await fx.open(id, { lockTtlSeconds: 3 });
  const states: IssuerState[] = [];
  const events: Harness['events'] = [];
  const runner = createIssuerRunner({
    issuer: { backoff: { baseMs: 60_000, maxMs: 3_600_000 }, lockWaitMs: 10_000, concurrency: 4, pollMinMs: 100 },
    retry: { baseMs: 300, maxMs: 2000 }, directoryTimeoutMs: 2000,
  }, {
    storage, log: silentLogger, metrics: createAcmeMetrics(new Registry()), now: Date.now, random: () => 0.5, timers: realTimers,
    onEvent: (name, event) => { events.push({ name, event }); },
    report: (s) => { states.push(s); },
  });
  running.push(runner);
  runner.setSource({ kind: 'profile', resolve: () => Promise.resolve(profile) });
  runner.elected();
  return { runner, states, events };
}

const problems = (h: Harness, atLeast: number) => waitFor(() => {
  const bad = h.states.filter((s): s is Extract<IssuerState, { ready: false }> => !s.ready);
  return Promise.resolve(bad.length >= atLeast ? bad : undefined);
}, { what: `${atLeast} problem reports`, timeoutMs: 10_000 });

const ready = (h: Harness) => waitFor(() => Promise.resolve(h.states.find((s): s is Extract<IssuerState, { ready: true }> => s.ready)), { what: 'issuer ready', timeoutMs: 10_000 });

const withEab = (email: string): IssuerProfile => ({ ...flagsProfile(pebble.directoryUrl, email), externalAccountBinding: EAB, keyType: 'RSA-2048' });

describe('issuer runner against Pebble', () => {
  it('orders nothing while the CA refuses the account (EAB required, none given), and retries with a back-off', async () => {
    const before = await pebble.orders();
    const h = await leaderRunner('no-eab', flagsProfile(pebble.directoryUrl, 'ops@bollard.test'));
    h.runner.setNames([`x.${D}`]);
    const [first, second] = await problems(h, 2);
    expect(first?.error.reason).toBe('AccountRegistrationFailed');
    expect(first?.error.message).toMatch(/externalAccountBinding/);
    expect([first?.attempts, second?.attempts]).toEqual([1, 2]);
    expect((second?.nextAttemptAt ?? 0) - (first?.nextAttemptAt ?? 0)).toBeGreaterThan(0);
    expect(await h.runner.ensure(`x.${D}`)).toBe('inactive');
    expect(await pebble.orders()).toBe(before);
    await h.runner.stop();
  }, 20_000);

  it('with EAB and RSA-2048 from the settings: ready, and the certificate key is RSA-2048', async () => {
    const h = await leaderRunner('eab', withEab('ops@bollard.test'));
    const ok = await ready(h);
    expect(ok.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/my-account\//);
    h.runner.setNames([`rsa.${D}`]);
    expect(['issued', 'valid']).toContain(await h.runner.ensure(`rsa.${D}`));
    const key = createPrivateKey((await answerer.storage.load(certificateKeys(`rsa.${D}`).key)).toString());
    expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.modulusLength]).toEqual(['rsa', 2048]);
    expect(h.events.map((e) => e.event.reason)).toEqual(['AcmeCertificateIssued']);
  }, 20_000);

  it('a non-ASCII email: the CA\'s refusal, clearly', async () => {
    const h = await leaderRunner('bad-email', withEab('opś@bollard.test'));
    const [p] = await problems(h, 1);
    expect(p?.error.reason).toBe('AccountRegistrationFailed');
    expect(p?.error.message).toMatch(/opś@bollard\.test.*non-ASCII/);
    await h.runner.stop();
  }, 20_000);

  it('a URL that is no directory, and a directory that does not answer: DirectoryInvalid, DirectoryUnreachable; the ready issuer goes on', async () => {
    const notDirectory = await leaderRunner('not-dir', { ...withEab('ops@bollard.test'), directoryUrl: `${pebble.directoryUrl.replace(/\/dir$/, '')}/no-such-directory` });
    const silent = await leaderRunner('silent', { ...withEab('ops@bollard.test'), directoryUrl: `https://127.0.0.1:${await freePort()}/dir` });
    const [invalid] = await problems(notDirectory, 1);
    const [unreachable] = await problems(silent, 1);
    expect([invalid?.error.reason, invalid?.error.message]).toEqual(['DirectoryInvalid', expect.stringMatching(/answered HTTP 404/)]);
    expect([unreachable?.error.reason, unreachable?.error.message]).toEqual(['DirectoryUnreachable', expect.stringMatching(/unreachable: .*ECONNREFUSED/)]);
    const good = await leaderRunner('good', withEab('ops@bollard.test'));
    await ready(good);
    good.runner.setNames([`other.${D}`]);
    expect(['issued', 'valid']).toContain(await good.runner.ensure(`other.${D}`));
    await Promise.all([notDirectory.runner.stop(), silent.runner.stop()]);
  }, 20_000);

  it('a rejected order backs that name off with the CA\'s text; other names are issued', async () => {
    const h = await leaderRunner('rejected', withEab('ops@bollard.test'));
    await ready(h);
    const before = await pebble.orders();
    h.runner.setNames([`blocked.${D}`, `fine.${D}`]);
    expect(await h.runner.ensure(`blocked.${D}`)).toBe('failed');
    expect(['issued', 'valid']).toContain(await h.runner.ensure(`fine.${D}`));
    const failed = h.events.find((e) => e.name === `blocked.${D}`)?.event;
    expect(failed).toMatchObject({ type: 'Warning', reason: 'AcmeOrderFailed' });
    expect(failed?.message).toMatch(/rejectedIdentifier|blocked|policy/i);
    const backoff = await loadBackoff(answerer.storage, `blocked.${D}`);
    expect(backoff?.attempts).toBe(1);
    expect(backoff?.nextAttemptAt).toBeGreaterThan(Date.now() + 30_000);
    expect(await pebble.orders()).toBe(before + 1);
  }, 20_000);
});
