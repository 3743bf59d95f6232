// createEtcdElection (src/leader/etcd-election.ts) against a real etcd: one leader among three
// campaigners, hand-over when the leader shuts down, and a SIGKILLed leader replaced within TTL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEtcdElection, type LeaderElection } from '../../../src/leader/etcd-election.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { spawnTsChild } from './child-line.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';

let fx: EtcdFixture;
beforeAll(async () => { fx = await startEtcdFixture(); }, 60_000);
afterAll(async () => { await fx.stop(); }, 30_000);

const wait = (ms: number, signal: AbortSignal): Promise<void> => sleep(ms, undefined, { signal }).catch(() => undefined);

interface Replica { readonly id: string; readonly election: LeaderElection; readonly stop: AbortController; readonly done: Promise<void>; readonly events: string[] }

async function replica(id: string, name: string, ttlSeconds = 2): Promise<Replica> {
  const { connection } = await fx.open(id);
  const election = createEtcdElection({ name, identity: id, ttlSeconds, retryMs: 200 }, {
    etcd: connection.client.namespace('/bollard-test/acme/'), log: silentLogger, now: Date.now, wait,
  });
  const events: string[] = [];
  election.onElected(() => events.push('elected'));
  election.onLost(() => events.push('lost'));
  const stop = new AbortController();
  return { id, election, stop, done: election.run(stop.signal), events };
}

const leaders = (rs: readonly Replica[]): string[] => rs.filter((r) => r.election.isLeader()).map((r) => r.id);
const oneLeader = (rs: readonly Replica[]) => () => Promise.resolve(leaders(rs).length === 1 ? leaders(rs)[0] : undefined);

describe('etcd election', () => {
  it('elects exactly one of three, and hands over when the leader shuts down', async () => {
    const rs = await Promise.all(['r1', 'r2', 'r3'].map((id) => replica(id, 'three')));
    const first = await waitFor(oneLeader(rs), { what: 'one leader', timeoutMs: 10_000 });
    await sleep(500);
    expect(leaders(rs)).toEqual([first]);
    const old = rs.find((r) => r.id === first);
    if (!old) throw new Error('no leader replica');
    old.stop.abort();
    await old.done;
    expect(old.events).toEqual(['elected', 'lost']);
    const rest = rs.filter((r) => r !== old);
    const t0 = Date.now();
    const second = await waitFor(oneLeader(rest), { what: 'a new leader', timeoutMs: 10_000 });
    expect(second).not.toBe(first);
    expect(Date.now() - t0).toBeLessThan(1500); // resign revokes the lease: no TTL wait
    for (const r of rest) r.stop.abort();
    await Promise.all(rest.map((r) => r.done));
    expect(leaders(rs)).toEqual([]);
  }, 30_000);

  it('replaces a SIGKILLed leader within the lease TTL', async () => {
    const ttl = 2;
    const { proc, first } = await spawnTsChild('test/feature/acme/campaigner.ts', [fx.url, '/bollard-test/acme/', 'crash', 'child', String(ttl)]);
    expect(first).toEqual({ elected: true, identity: 'child' });
    const rs = await Promise.all(['s1', 's2'].map((id) => replica(id, 'crash', ttl)));
    await sleep(300);
    expect(leaders(rs)).toEqual([]);
    proc.child.kill('SIGKILL');
    await proc.exited;
    const t0 = Date.now();
    await waitFor(oneLeader(rs), { what: 'a new leader after SIGKILL', timeoutMs: ttl * 1000 + 5000, intervalMs: 20 });
    const failover = Date.now() - t0;
    expect(failover).toBeLessThan(ttl * 1000 + 1500);
    for (const r of rs) r.stop.abort();
    await Promise.all(rs.map((r) => r.done));
  }, 30_000);
});
