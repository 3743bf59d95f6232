// DNS-01 through RFC 2136 against a real DNS server (Debian's bind9) that Pebble resolves
// through: TSIG-signed updates add and remove the challenge record, a wrong key is refused with
// the server's reason, and a wildcard certificate is issued (with a plain name beside it) by an
// issuer whose settings come from an AcmeIssuer-shaped spec and a TSIG Secret.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { trustAcmeDirectoryCa } from '../../../src/acme/acme-client.ts';
import { createCertificateSource } from '../../../src/acme/certificate-store.ts';
import { realTimers } from '../../../src/acme/due-queue.ts';
import { resolveProfile } from '../../../src/acme/issuer-profile.ts';
import { createIssuerRunner, type IssuerState } from '../../../src/acme/issuer-runner.ts';
import { parseIssuerSpec } from '../../../src/acme/issuer-spec.ts';
import { createAcmeMetrics } from '../../../src/acme/metrics.ts';
import { createRfc2136Provider, rfc2136Factory } from '../../../src/acme/rfc2136.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { startBind, type Bind } from '../../harness/bind.ts';
import { startPebble, type Pebble } from '../../harness/pebble.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';

const ZONE = 'dns01.bollard.test';
let dir: string;
let bind: Bind;
let pebble: Pebble;
let fx: EtcdFixture;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bollard-acme-dns01-'));
  const [bindDir, pebbleDir] = [join(dir, 'bind'), join(dir, 'pebble')];
  await Promise.all([bindDir, pebbleDir].map((d) => mkdir(d)));
  bind = await startBind({ dir: bindDir, zone: ZONE });
  // No HTTP-01 listener: validations can only succeed through DNS.
  [pebble, fx] = await Promise.all([startPebble({ dir: pebbleDir, validationPort: 9, dnsServer: bind.address }), startEtcdFixture()]);
  trustAcmeDirectoryCa(pebble.caPem);
}, 60_000);

afterAll(async () => {
  await fx.stop();
  await pebble.stop();
  await bind.stop();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const settings = (over: Partial<Parameters<typeof createRfc2136Provider>[0]> = {}) => ({
  nameserver: bind.address, zone: '', tsigKeyName: bind.keyName, tsigAlgorithm: 'hmac-sha256' as const, ttlSeconds: 5, propagationTimeoutSeconds: 5, ...over,
});

describe('RFC 2136 provider against bind9', () => {
  it('adds the TXT record with a TSIG-signed update (zone found by SOA), and removes it', async () => {
    const p = createRfc2136Provider(settings(), Buffer.from(bind.secretBase64, 'base64'), { pollMs: 50 });
    const name = `_acme-challenge.www.${ZONE}`;
    await p.present(name, 'first');
    await p.present(name, 'second');
    expect((await bind.txt(name)).sort()).toEqual(['first', 'second']);
    await p.cleanup(name, 'first');
    expect(await bind.txt(name)).toEqual(['second']);
    await p.cleanup(name, 'second');
    expect(await bind.txt(name)).toEqual([]);
  });

  it('a wrong TSIG secret, an unknown key, a zone the server does not hold: refused with the reason', async () => {
    const name = `_acme-challenge.x.${ZONE}`;
    await expect(createRfc2136Provider(settings(), Buffer.from('not the secret')).present(name, 'v')).rejects.toThrow(/refused: NOTAUTH: .*BADSIG/);
    await expect(createRfc2136Provider(settings({ tsigKeyName: 'nobody' }), Buffer.from(bind.secretBase64, 'base64')).present(name, 'v')).rejects.toThrow(/BADKEY/);
    await expect(createRfc2136Provider(settings(), Buffer.from(bind.secretBase64, 'base64')).present('_acme-challenge.elsewhere.example', 'v')).rejects.toThrow(/not authoritative|REFUSED|NOTAUTH|NOTZONE/);
  });
});

describe('DNS-01 issuance', () => {
  it('issues a wildcard certificate (and a plain name) through the AcmeIssuer\'s rfc2136 settings', async () => {
    const parsed = parseIssuerSpec({
      directory: pebble.directoryUrl, email: 'dns@bollard.test',
      challenge: { type: 'dns-01', dns01: { provider: 'rfc2136', propagationTimeoutSeconds: 10, rfc2136: { nameserver: bind.address, tsigKeyName: bind.keyName, tsigSecretRef: { name: 'tsig', namespace: 'ops' } } } },
    });
    if (!parsed.ok) throw new Error(parsed.message);
    const profile = await resolveProfile('dns', parsed.spec, (ns, name) => Promise.resolve(ns === 'ops' && name === 'tsig' ? { secret: Buffer.from(bind.secretBase64) } : undefined), rfc2136Factory);
    expect(profile.challenge).toBe('dns-01');
    const { storage } = await fx.open('dns-leader', { lockTtlSeconds: 3 });
    const certificates = createCertificateSource(storage, silentLogger);
    await certificates.start();
    const states: IssuerState[] = [];
    const runner = createIssuerRunner({
      issuer: { backoff: { baseMs: 60_000, maxMs: 3_600_000 }, lockWaitMs: 10_000, concurrency: 4, pollMinMs: 100 },
      retry: { baseMs: 1000, maxMs: 5000 }, directoryTimeoutMs: 2000,
    }, {
      storage, log: silentLogger, metrics: createAcmeMetrics(new Registry()), now: Date.now, random: Math.random, timers: realTimers,
      report: (s) => { states.push(s); },
    });
    try {
      runner.setSource({ kind: 'profile', resolve: () => Promise.resolve(profile) });
      runner.elected();
      await waitFor(() => Promise.resolve(states.find((s) => s.ready)), { what: 'issuer ready', timeoutMs: 10_000 });
      const names = [`*.wild.${ZONE}`, `plain.${ZONE}`];
      runner.setNames(names);
      const outcomes = await Promise.all(names.map((n) => runner.ensure(n)));
      expect(outcomes).toEqual(['issued', 'issued']);
      const served = await waitFor(() => Promise.resolve(certificates.lookup(`anything.wild.${ZONE}`)), { what: 'wildcard served', timeoutMs: 5000 });
      expect(new X509Certificate(served.certPem).subjectAltName).toBe(`DNS:*.wild.${ZONE}`);
      expect(await bind.txt(`_acme-challenge.wild.${ZONE}`)).toEqual([]);
      expect(await bind.txt(`_acme-challenge.plain.${ZONE}`)).toEqual([]);
    } finally {
      await runner.stop();
      await certificates.close();
    }
  }, 40_000);
});
