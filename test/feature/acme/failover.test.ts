// Failure modes against real Pebble and etcd: the issuing replica is SIGKILLed in the middle of
// an order (Pebble is validating) and another replica completes that same order — no second
// order; and while etcd is frozen (SIGSTOP) replicas keep serving certificates and challenge
// answers from their caches, and issuance resumes once etcd is back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { orderKeys } from '../../../src/acme/keys.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { spawnTsChild } from './child-line.ts';
import { startPebbleWorld, type PebbleWorld } from './pebble-world.ts';
import { issuerOptions, startReplica, type TestReplica } from './replica.ts';

let w: PebbleWorld;

beforeAll(async () => {
  w = await startPebbleWorld('bollard-acme-failover-');
}, 60_000);

afterAll(async () => {
  w.fx.etcd.process.child.kill('SIGCONT');
  await w.stop();
}, 30_000);

const replica = async (id: string): Promise<TestReplica> => {
  const r = await startReplica(w.fx, id, issuerOptions(w.pebble.directoryUrl, 'failover@bollard.test'));
  w.replicas.push(r);
  return r;
};

describe('failover', () => {
  it('a leader SIGKILLed mid-order is replaced and the same order completes (no duplicate)', async () => {
    const name = 'killed.bollard.test';
    const survivor = await replica('survivor');
    const held: { req: IncomingMessage; res: ServerResponse }[] = [];
    w.front.route([{ id: 'hold', handle: (req, res) => { held.push({ req, res }); return true; } }]);
    const before = await w.pebble.orders();
    const { proc } = await spawnTsChild('test/feature/acme/issuer-child.ts', [w.fx.url, '/bollard-test/acme/', w.pebble.directoryUrl, w.caFile, name]);
    // Pebble is validating the child's challenge: the order exists and is stored in etcd.
    await waitFor(() => Promise.resolve(held.length > 0 ? true : undefined), { what: 'a validation request', timeoutMs: 15_000 });
    expect(await survivor.storage.exists(orderKeys(name).order)).toBe(true);
    proc.child.kill('SIGKILL');
    await proc.exited;
    // The challenge token is in etcd: the survivor answers the validation the dead leader started.
    w.front.route([survivor]);
    for (const h of held.splice(0)) survivor.handle(h.req, h.res);
    const t0 = Date.now();
    survivor.issuer.start();
    expect(await survivor.issuer.ensure(name)).toBe('issued');
    const failoverMs = Date.now() - t0;
    expect(failoverMs).toBeLessThan(3000 + 3000);
    expect(await w.pebble.orders()).toBe(before + 1);
    expect(await w.pebble.issued()).toBeGreaterThanOrEqual(1);
    await waitFor(() => Promise.resolve(survivor.certificates.lookup(name) ? true : undefined), { what: 'served', timeoutMs: 5000 });
    expect(await survivor.storage.list('orders', true)).toEqual([]);
  }, 40_000);

  it('keeps serving from caches while etcd is frozen, and issues again once it is back', async () => {
    const r = await replica('outage');
    w.front.route([r]);
    r.issuer.start();
    expect(await r.issuer.ensure('before.bollard.test')).toBe('issued');
    await waitFor(() => Promise.resolve(r.certificates.lookup('before.bollard.test') ? true : undefined), { what: 'served', timeoutMs: 5000 });
    w.fx.etcd.process.child.kill('SIGSTOP');
    try {
      expect(r.certificates.lookup('before.bollard.test')?.context).toBeDefined();
      expect(r.certificates.lookup('killed.bollard.test')).toBeDefined();
      const during = await r.issuer.ensure('during.bollard.test');
      expect(['busy', 'failed']).toContain(during);
    } finally {
      w.fx.etcd.process.child.kill('SIGCONT');
    }
    const after = await waitFor(async () => {
      const o = await r.issuer.ensure('during.bollard.test');
      return o === 'issued' ? o : undefined;
    }, { what: 'issuance after etcd is back', timeoutMs: 20_000, intervalMs: 500 });
    expect(after).toBe('issued');
  }, 60_000);
});
