// The issuer against a real Pebble and a real etcd: validations answered by a non-leader, three
// issuers racing for the same names with exactly one order each, a restart that orders nothing,
// a failed order that backs off (persisted), and renewal when the clock reaches renewAt.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:tls';
import { loadBackoff } from '../../../src/acme/backoff.ts';
import { parseMeta } from '../../../src/acme/certificate.ts';
import { certificateKeys } from '../../../src/acme/keys.ts';
import { startPebbleWorld, type PebbleWorld } from './pebble-world.ts';
import { issuerOptions, startReplica, type TestReplica } from './replica.ts';

let w: PebbleWorld;

beforeAll(async () => {
  w = await startPebbleWorld('bollard-acme-pebble-');
}, 60_000);

afterAll(async () => {
  await w.stop();
}, 30_000);

const replica = async (id: string, email: string, now?: () => number): Promise<TestReplica> => {
  const r = await startReplica(w.fx, id, issuerOptions(w.pebble.directoryUrl, email), now);
  w.replicas.push(r);
  return r;
};
const closeAll = async (): Promise<void> => { await Promise.all(w.replicas.splice(0).map((r) => r.close())); };

/** The certificate a TLS client gets for `name` from a server using the replica's certificate source. */
async function servedSerial(r: TestReplica, name: string): Promise<string | undefined> {
  const c = r.certificates.lookup(name);
  if (!c) return undefined;
  const { createServer } = await import('node:tls');
  const server = createServer({ SNICallback: (sn, cb) => { cb(null, r.certificates.lookup(sn)?.context); } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const serial = await new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: name, rejectUnauthorized: false }, () => { resolve(s.getPeerX509Certificate()?.serialNumber ?? ''); s.end(); });
    s.on('error', reject);
  });
  server.close();
  return serial;
}

describe('issuer against Pebble', () => {
  it('gets a certificate when only non-leaders answer the validation', async () => {
    const [leader, r2, r3] = await Promise.all([replica('leader', 'ops@bollard.test'), replica('r2', 'ops@bollard.test'), replica('r3', 'ops@bollard.test')]);
    w.front.route([r2, r3]);
    const before = await w.pebble.orders();
    leader.issuer.start();
    expect(await leader.issuer.ensure('one.bollard.test')).toBe('issued');
    expect(await w.pebble.orders()).toBe(before + 1);
    const answers = w.front.answered.filter((a) => a.host.startsWith('one.bollard.test') && a.status === 200);
    expect(answers.length).toBeGreaterThan(0);
    expect(new Set(answers.map((a) => a.id))).not.toContain('leader');
    expect(leader.events.map((e) => e.event.reason)).toEqual(['AcmeCertificateIssued']);
    const meta = parseMeta(await r2.storage.load(certificateKeys('one.bollard.test').meta));
    expect(meta?.names).toEqual(['one.bollard.test']);
    expect(await r2.storage.list('orders', true)).toEqual([]);
    expect(await leader.registry.getSingleMetricAsString('bollard_acme_orders_succeeded_total')).toMatch(/_total 1$/m);
    await closeAll();
  }, 30_000);

  it('three issuers racing for the same names place exactly one order per name', async () => {
    const names = ['a.race.bollard.test', 'b.race.bollard.test', 'c.race.bollard.test'];
    const rs = await Promise.all(['x', 'y', 'z'].map((id) => replica(id, 'race@bollard.test')));
    w.front.route(rs);
    const before = await w.pebble.orders();
    for (const r of rs) { r.issuer.setNames(names); r.issuer.start(); }
    const outcomes = await Promise.all(rs.flatMap((r) => names.map((n) => r.issuer.ensure(n))));
    await Promise.all(rs.map((r) => r.issuer.idle()));
    expect(await w.pebble.orders()).toBe(before + names.length);
    expect(outcomes.filter((o) => o === 'issued')).toHaveLength(names.length);
    expect(outcomes.filter((o) => o !== 'issued').every((o) => o === 'valid')).toBe(true);
    const accounts = await rs[0]?.storage.list('accounts', true);
    expect(accounts?.filter((k) => k.includes('race%40bollard.test'))).toHaveLength(2); // one account: key + record
    for (const r of rs) for (const n of names) await expect(waitServed(r, n)).resolves.toBe(true);
    await closeAll();
  }, 60_000);

  it('a restart with certificates in etcd orders nothing and serves at once', async () => {
    const before = await w.pebble.orders();
    const r = await replica('restarted', 'race@bollard.test');
    expect(r.certificates.names()).toEqual(expect.arrayContaining(['a.race.bollard.test', 'one.bollard.test']));
    expect(await servedSerial(r, 'b.race.bollard.test')).toMatch(/^[0-9A-F]+$/);
    r.issuer.setNames(['a.race.bollard.test', 'b.race.bollard.test', 'c.race.bollard.test', 'one.bollard.test']);
    r.issuer.start();
    expect(await r.issuer.ensure('a.race.bollard.test')).toBe('valid');
    await r.issuer.idle();
    expect(await w.pebble.orders()).toBe(before);
    await closeAll();
  }, 30_000);

  it('a failed validation backs the name off, persisted, with the CA error in the Event', async () => {
    const r = await replica('failing', 'ops@bollard.test');
    w.front.route([{ id: 'nobody', handle: () => false }]);
    const before = await w.pebble.orders();
    r.issuer.start();
    expect(await r.issuer.ensure('fail.bollard.test')).toBe('failed');
    const backoff = await loadBackoff(r.storage, 'fail.bollard.test');
    expect(backoff?.attempts).toBe(1);
    expect(backoff?.nextAttemptAt).toBeGreaterThan(Date.now() + 30_000);
    const event = r.events.find((e) => e.name === 'fail.bollard.test')?.event;
    expect(event).toMatchObject({ type: 'Warning', reason: 'AcmeOrderFailed' });
    expect(event?.message).toMatch(/404|unauthorized|Invalid response/i);
    await closeAll();
    const again = await replica('failing-restarted', 'ops@bollard.test');
    again.issuer.start();
    expect(await again.issuer.ensure('fail.bollard.test')).toBe('backoff');
    expect(await w.pebble.orders()).toBe(before + 1);
    await closeAll();
  }, 30_000);

  it('renews when the clock reaches renewAt', async () => {
    const meta = parseMeta(await (await w.fx.open('reader')).storage.load(certificateKeys('one.bollard.test').meta));
    if (!meta) throw new Error('no meta for one.bollard.test');
    const skew = Date.parse(meta.renewAt) - Date.now() + 1000;
    const r = await replica('future', 'ops@bollard.test', () => Date.now() + skew);
    const r2 = await replica('answerer', 'ops@bollard.test');
    w.front.route([r2]);
    const before = await w.pebble.orders();
    r.issuer.start();
    expect(await r.issuer.ensure('one.bollard.test')).toBe('renewed');
    expect(await w.pebble.orders()).toBe(before + 1);
    const renewed = parseMeta(await r.storage.load(certificateKeys('one.bollard.test').meta));
    expect(renewed?.serial).not.toBe(meta.serial);
    expect(r.events.map((e) => e.event.reason)).toEqual(['AcmeCertificateRenewed']);
    await expect(waitServed(r2, 'one.bollard.test', renewed?.serial)).resolves.toBe(true);
    await closeAll();
  }, 30_000);
});

async function waitServed(r: TestReplica, name: string, serial?: string): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const served = await servedSerial(r, name);
    if (served !== undefined && (serial === undefined || served === serial)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
