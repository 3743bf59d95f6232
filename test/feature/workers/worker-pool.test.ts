// The worker pool with a real forked worker: it is ready only once the worker serves a published
// table, not merely once it listens. With 20,000 hosts the table takes a while to cross the IPC
// channel; a /readyz that said 200 before that sent traffic to a worker answering 404.
import { startOneWorker } from './pool-support.ts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { generateSelfSigned } from '../../../src/dataplane/tls/default-certificate.ts';
import type { WorkerPool } from '../../../src/workers/worker-pool.ts';
import { freePort } from '../../harness/free-port.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { hostRoutes, route, table, upstream } from '../dataplane/support.ts';

const HOSTS = 20_000;
let pool: WorkerPool;
let httpPort = 0;

beforeAll(async () => {
  const pair = await generateSelfSigned('default.invalid');
  // A fixed port, as the controller reserves one for its workers (SO_REUSEPORT).
  httpPort = await freePort();
  pool = startOneWorker({ httpPort, httpsPort: 0 }, pair);
  await pool.ready;
}, 30_000);

afterAll(async () => {
  await pool.close();
});

const statusFor = async (host: string): Promise<number> => {
  const r = await request(`http://127.0.0.1:${httpPort}/`, { headers: { host } });
  await r.body.dump();
  return r.statusCode;
};

const ready = (what: string): Promise<true> => waitFor(() => Promise.resolve(pool.allReady() ? true : undefined), { what, timeoutMs: 20_000, intervalMs: 20 });

describe('a worker pool', () => {
  it('is ready once the worker serves the required table, not merely once it listens', async () => {
    // Started with the empty table: ready once the worker says it applied it.
    await ready('worker applied its first table');
    const hosts: Record<string, ReturnType<typeof hostRoutes>> = {};
    // Routes without endpoints: a served table answers 503 ("no ready endpoints"), an empty one 404.
    for (let i = 0; i < HOSTS; i++) hosts[`h${i}.test`] = hostRoutes(route('/', upstream(`svc-${i}`, [])));
    pool.publish(table(hosts));
    pool.requireCurrentTable();
    // The table is on its way over IPC: the worker cannot have acknowledged it yet.
    expect(pool.allReady()).toBe(false);
    await ready('worker applied the 20,000-host table');
    expect(await statusFor(`h${HOSTS - 1}.test`)).toBe(503);
    expect(await statusFor('unknown.test')).toBe(404);
  }, 30_000);

  it('serves a table that changed a few of 20,000 hosts (sent as the change), old hosts kept', async () => {
    const hosts = new Map<string, ReturnType<typeof hostRoutes>>();
    for (let i = 0; i < HOSTS; i++) hosts.set(`d${i}.test`, hostRoutes(route('/', upstream(`svc-d${i}`, []))));
    const first = table(Object.fromEntries(hosts));
    pool.publish(first);
    // The same HostRoutes objects, one host more and one less: the worker gets those two entries.
    const next = new Map(first.hosts);
    next.delete('d0.test');
    next.set('added.test', hostRoutes(route('/', upstream('svc-added', []))));
    pool.publish({ ...first, hosts: next });
    pool.requireCurrentTable();
    await ready('worker applied the changed table');
    expect(await statusFor('added.test')).toBe(503);
    expect(await statusFor(`d${HOSTS - 1}.test`)).toBe(503);
    expect(await statusFor('d0.test')).toBe(404);
  }, 30_000);

  it('stays ready while a later table is on its way (no flicker on every change)', async () => {
    pool.publish(table({ 'later.test': hostRoutes(route('/', upstream('svc-later', []))) }));
    expect(pool.allReady()).toBe(true);
    await waitFor(async () => ((await statusFor('later.test')) === 503 ? true : undefined), { what: 'later table served', timeoutMs: 20_000, intervalMs: 20 });
  });
});
