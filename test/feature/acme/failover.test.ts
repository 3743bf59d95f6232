// Failure modes against real Pebble and etcd: the issuing replica is SIGKILLed in the middle of
// an order (Pebble is validating) and another replica completes that same order — no second
// order; and while etcd is frozen (SIGSTOP) replicas keep serving certificates and challenge
// answers from their caches, and issuance resumes once etcd is back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustAcmeDirectoryCa } from '../../../src/acme/acme-client.ts';
import { orderKeys } from '../../../src/acme/keys.ts';
import { startPebble, type Pebble } from '../../harness/pebble.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { spawnTsChild } from './child-line.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';
import { issuerOptions, startReplica, type TestReplica } from './replica.ts';
import { startValidationFront, type ValidationFront } from './validation-front.ts';

let fx: EtcdFixture;
let pebble: Pebble;
let front: ValidationFront;
let dir: string;
let caFile: string;
const replicas: TestReplica[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bollard-acme-failover-'));
  front = await startValidationFront();
  [fx, pebble] = await Promise.all([startEtcdFixture(), startPebble({ dir, validationPort: front.port })]);
  trustAcmeDirectoryCa(pebble.caPem);
  caFile = join(dir, 'directory-ca.pem');
  await writeFile(caFile, pebble.caPem);
}, 60_000);

afterAll(async () => {
  fx.etcd.process.child.kill('SIGCONT');
  await Promise.all(replicas.splice(0).map((r) => r.close()));
  await front.close();
  await pebble.stop();
  await fx.stop();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const replica = async (id: string): Promise<TestReplica> => {
  const r = await startReplica(fx, id, issuerOptions(pebble.directoryUrl, 'failover@bollard.test'));
  replicas.push(r);
  return r;
};

describe('failover', () => {
  it('a leader SIGKILLed mid-order is replaced and the same order completes (no duplicate)', async () => {
    const name = 'killed.bollard.test';
    const survivor = await replica('survivor');
    const held: { req: IncomingMessage; res: ServerResponse }[] = [];
    front.route([{ id: 'hold', handle: (req, res) => { held.push({ req, res }); return true; } }]);
    const before = await pebble.orders();
    const { proc } = await spawnTsChild('test/feature/acme/issuer-child.ts', [fx.url, '/bollard-test/acme/', pebble.directoryUrl, caFile, name]);
    // Pebble is validating the child's challenge: the order exists and is stored in etcd.
    await waitFor(() => Promise.resolve(held.length > 0 ? true : undefined), { what: 'a validation request', timeoutMs: 15_000 });
    expect(await survivor.storage.exists(orderKeys(name).order)).toBe(true);
    proc.child.kill('SIGKILL');
    await proc.exited;
    // The challenge token is in etcd: the survivor answers the validation the dead leader started.
    front.route([survivor]);
    for (const h of held.splice(0)) survivor.handle(h.req, h.res);
    const t0 = Date.now();
    survivor.issuer.start();
    expect(await survivor.issuer.ensure(name)).toBe('issued');
    const failoverMs = Date.now() - t0;
    expect(failoverMs).toBeLessThan(3000 + 3000);
    expect(await pebble.orders()).toBe(before + 1);
    expect(await pebble.issued()).toBeGreaterThanOrEqual(1);
    await waitFor(() => Promise.resolve(survivor.certificates.lookup(name) ? true : undefined), { what: 'served', timeoutMs: 5000 });
    expect(await survivor.storage.list('orders', true)).toEqual([]);
  }, 40_000);

  it('keeps serving from caches while etcd is frozen, and issues again once it is back', async () => {
    const r = await replica('outage');
    front.route([r]);
    r.issuer.start();
    expect(await r.issuer.ensure('before.bollard.test')).toBe('issued');
    await waitFor(() => Promise.resolve(r.certificates.lookup('before.bollard.test') ? true : undefined), { what: 'served', timeoutMs: 5000 });
    fx.etcd.process.child.kill('SIGSTOP');
    try {
      expect(r.certificates.lookup('before.bollard.test')?.context).toBeDefined();
      expect(r.certificates.lookup('killed.bollard.test')).toBeDefined();
      const during = await r.issuer.ensure('during.bollard.test');
      expect(['busy', 'failed']).toContain(during);
    } finally {
      fx.etcd.process.child.kill('SIGCONT');
    }
    const after = await waitFor(async () => {
      const o = await r.issuer.ensure('during.bollard.test');
      return o === 'issued' ? o : undefined;
    }, { what: 'issuance after etcd is back', timeoutMs: 20_000, intervalMs: 500 });
    expect(after).toBe('issued');
  }, 60_000);
});
