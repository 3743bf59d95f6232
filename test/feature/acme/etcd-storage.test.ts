// EtcdStorage against a real etcd: the certmagic-shaped contract, TTL keys, locks between two
// clients, a crashed holder's lock released by its lease, fencing, and watches.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectEtcd } from '../../../src/acme/etcd-connection.ts';
import { FencedError, LockAbortedError, NotFoundError } from '../../../src/acme/errors.ts';
import type { WatchChange } from '../../../src/acme/storage.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { spawnTsChild } from './child-line.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';

let fx: EtcdFixture;
beforeAll(async () => { fx = await startEtcdFixture(); }, 60_000);
afterAll(async () => { await fx.stop(); }, 30_000);

describe('key/value contract', () => {
  it('stores, loads, lists, stats and deletes; absent keys are NotFound', async () => {
    const { storage } = await fx.open('a', { prefix: '/kv-test/' });
    await storage.store('certificates/a.example/cert.pem', 'CERT-A');
    await storage.store('certificates/a.example/key.pem', Buffer.from('KEY-A'));
    await storage.store('certificates/b.example/cert.pem', 'CERT-B');
    await storage.store('accounts/x/key.pem', 'ACCOUNT');
    expect((await storage.load('certificates/a.example/cert.pem')).toString()).toBe('CERT-A');
    expect(await storage.exists('certificates/a.example/key.pem')).toBe(true);
    expect(await storage.list('certificates', false)).toEqual(['certificates/a.example', 'certificates/b.example']);
    expect(await storage.list('certificates', true)).toEqual([
      'certificates/a.example/cert.pem', 'certificates/a.example/key.pem', 'certificates/b.example/cert.pem',
    ]);
    const info = await storage.stat('certificates/a.example/key.pem');
    expect(info.size).toBe(5);
    expect(BigInt(info.modRevision)).toBeGreaterThan(0n);

    await storage.delete('certificates/a.example');
    expect(await storage.list('certificates', true)).toEqual(['certificates/b.example/cert.pem']);
    await expect(storage.load('certificates/a.example/cert.pem')).rejects.toBeInstanceOf(NotFoundError);
    await expect(storage.stat('nope')).rejects.toMatchObject({ code: 'ERR_BOLLARD_ACME_NOT_FOUND', key: 'nope' });
    await storage.delete('never-existed');
    expect(await storage.exists('never-existed')).toBe(false);
    expect(await storage.exists('accounts/x/key.pem')).toBe(true);
  });

  it('keeps prefixes apart: one storage never sees another prefix', async () => {
    const { storage: one } = await fx.open('a', { prefix: '/tenant-one/' });
    const { storage: two } = await fx.open('b', { prefix: '/tenant-two/' });
    await one.store('k', 'v1');
    await expect(two.load('k')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a TTL key vanishes by itself', async () => {
    const { storage } = await fx.open('a', { prefix: '/ttl-test/' });
    await storage.store('challenges/http-01/tok', 'auth', { ttlSeconds: 1 });
    expect(await storage.exists('challenges/http-01/tok')).toBe(true);
    await waitFor(async () => ((await storage.exists('challenges/http-01/tok')) ? undefined : true), { what: 'TTL expiry', timeoutMs: 5000 });
  }, 10_000);
});

describe('locks', () => {
  it('exclude a second client until released; the next holder gets a larger token', async () => {
    const { storage: a } = await fx.open('replica-a');
    const { storage: b } = await fx.open('replica-b');
    const held = await a.lock('certificate/x.example');
    expect(await b.tryLock('certificate/x.example')).toBeUndefined();
    let bHas = false;
    const waiting = b.lock('certificate/x.example').then((l) => { bHas = true; return l; });
    await sleep(300);
    expect(bHas).toBe(false);
    await a.unlock(held);
    const next = await waiting;
    expect(BigInt(next.token)).toBeGreaterThan(BigInt(held.token));
    expect(held.lost.aborted).toBe(true);
    await b.unlock(next);
  });

  it('waiting is aborted by the caller', async () => {
    const { storage: a } = await fx.open('replica-a');
    const { storage: b } = await fx.open('replica-b');
    const held = await a.lock('certificate/abort.example');
    await expect(b.lock('certificate/abort.example', AbortSignal.timeout(200))).rejects.toBeInstanceOf(LockAbortedError);
    await a.unlock(held);
  });

  it('a SIGKILLed holder releases its lock within the lease TTL', async () => {
    const ttl = 2;
    const { proc, first } = await spawnTsChild('test/feature/acme/lock-holder.ts', [fx.url, '/bollard-test/acme/', 'certificate/crash.example', String(ttl)]);
    expect(first.locked).toBe('certificate/crash.example');
    const { storage } = await fx.open('survivor');
    expect(await storage.tryLock('certificate/crash.example')).toBeUndefined();
    proc.child.kill('SIGKILL');
    await proc.exited;
    const t0 = Date.now();
    const lock = await storage.lock('certificate/crash.example', AbortSignal.timeout(ttl * 1000 + 5000));
    const waited = Date.now() - t0;
    expect(waited).toBeLessThan(ttl * 1000 + 2000);
    expect(BigInt(lock.token)).toBeGreaterThan(BigInt(String(first.token)));
    await storage.unlock(lock);
  }, 30_000);

  it('closing the connection revokes held locks at once (no TTL wait)', async () => {
    const { connection, storage: a } = await fx.open('closing', { lockTtlSeconds: 30 });
    await a.lock('certificate/close.example');
    await connection.close();
    const { storage: b } = await fx.open('after');
    const lock = await b.tryLock('certificate/close.example');
    expect(lock).toBeDefined();
    if (lock) await b.unlock(lock);
  });

  it('fences: a stale holder cannot write after another took the lock over', async () => {
    const { storage: a } = await fx.open('stale');
    const { storage: b } = await fx.open('fresh');
    const stale = await a.lock('certificate/fence.example');
    await a.store('certificates/fence.example/cert.pem', 'v1', { fence: stale });
    // The stale holder's lease expires behind its back (e.g. a long GC pause): simulate by
    // deleting the lock key directly, then another replica takes the lock.
    const raw = await connectEtcd({ endpoints: [fx.url] });
    await raw.client.delete().key(`/bollard-test/acme/locks/${encodeURIComponent('certificate/fence.example')}`);
    await raw.close();
    const fresh = await b.lock('certificate/fence.example');
    await expect(a.store('certificates/fence.example/cert.pem', 'v-stale', { fence: stale })).rejects.toBeInstanceOf(FencedError);
    expect(stale.lost.aborted).toBe(true);
    await expect(a.delete('certificates/fence.example', { fence: stale })).rejects.toMatchObject({ code: 'ERR_BOLLARD_ACME_FENCED' });
    await b.store('certificates/fence.example/cert.pem', 'v2', { fence: fresh });
    expect((await b.load('certificates/fence.example/cert.pem')).toString()).toBe('v2');
    await b.unlock(fresh);
  });
});

describe('watchPrefix', () => {
  it('delivers the initial state, then every put and delete from another client', async () => {
    const { storage: writer } = await fx.open('writer', { prefix: '/watch-test/' });
    const { storage: reader } = await fx.open('reader', { prefix: '/watch-test/' });
    await writer.store('challenges/http-01/old', 'o');
    const initial: string[] = [];
    const changes: WatchChange[] = [];
    const w = await reader.watchPrefix('challenges/', {
      initial: (m) => { initial.push(...m.keys()); },
      change: (c) => { changes.push(c); },
    });
    await writer.store('challenges/http-01/new', 'n');
    await writer.delete('challenges/http-01/old');
    await waitFor(() => Promise.resolve(changes.length >= 2 ? true : undefined), { what: 'two changes', timeoutMs: 5000 });
    expect(initial).toEqual(['challenges/http-01/old']);
    expect(changes.map((c) => `${c.type} ${c.key}`)).toEqual(['put challenges/http-01/new', 'delete challenges/http-01/old']);
    await w.close();
  });
});
