// The HTTP-01 responder against a real etcd with two storage clients: the "leader" publishes on
// one, a "replica" answers from the other at once (read-through), then from its watch-fed cache,
// also over real HTTP, and keeps answering from the cache while etcd is frozen (SIGSTOP).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { publishHttp01, withdrawHttp01 } from '../../../src/acme/http01-challenges.ts';
import { createHttp01Handler, createHttp01Responder } from '../../../src/acme/http01-responder.ts';
import type { WatchableStorage } from '../../../src/acme/storage.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { get } from '../../support/http.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';

let fx: EtcdFixture;
let leader: WatchableStorage;
let replica: WatchableStorage;
beforeAll(async () => {
  fx = await startEtcdFixture();
  leader = (await fx.open('leader')).storage;
  replica = (await fx.open('replica')).storage;
}, 60_000);
afterAll(async () => { await fx.stop(); }, 30_000);

const token = (): string => randomBytes(24).toString('base64url');

describe('HTTP-01 responder', () => {
  it('answers a token written a moment ago on another client, before its watch delivers it', async () => {
    const responder = createHttp01Responder(replica, silentLogger);
    await responder.start();
    const t = token();
    await publishHttp01(leader, t, { keyAuthorization: `${t}.thumb`, name: 'a.example' });
    expect(await responder.lookup(t, 'a.example')).toBe(`${t}.thumb`);
    expect(await responder.lookup(t, 'A.Example:80')).toBe(`${t}.thumb`);
    expect(await responder.lookup(t, 'b.example')).toBeUndefined();
    await withdrawHttp01(leader, t);
    await waitFor(async () => ((await responder.lookup(t)) === undefined ? true : undefined), { what: 'withdrawn token gone', timeoutMs: 5000 });
    await responder.close();
  });

  it('answers by read-through with no watch at all, and refuses malformed tokens', async () => {
    const responder = createHttp01Responder(replica, silentLogger);
    const t = token();
    await publishHttp01(leader, t, { keyAuthorization: `${t}.k`, name: 'b.example' });
    expect(await responder.lookup(t)).toBe(`${t}.k`);
    expect(await responder.lookup('short')).toBeUndefined();
    expect(await responder.lookup('../../locks/x-xxxxxxxxxxxxxxxxxxxxxxxxx')).toBeUndefined();
  });

  it('serves /.well-known/acme-challenge/ over HTTP and leaves other paths to the proxy', async () => {
    const responder = createHttp01Responder(replica, silentLogger);
    await responder.start();
    const handle = createHttp01Handler(responder);
    const server: Server = createServer((req, res) => { if (!handle(req, res)) res.writeHead(418).end('proxy'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t = token();
    await publishHttp01(leader, t, { keyAuthorization: `${t}.http`, name: 'c.example' });
    const ok = await get(base, 'c.example', `/.well-known/acme-challenge/${t}`);
    expect([ok.status, ok.body, ok.headers['content-type']]).toEqual([200, `${t}.http`, 'text/plain']);
    expect((await get(base, 'other.example', `/.well-known/acme-challenge/${t}`)).status).toBe(404);
    expect((await get(base, 'c.example', `/.well-known/acme-challenge/${token()}`)).status).toBe(404);
    expect((await get(base, 'c.example', '/app')).status).toBe(418);
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    await responder.close();
  });

  it('keeps answering cached tokens while etcd is frozen, and catches up when it is back', async () => {
    const responder = createHttp01Responder(replica, silentLogger);
    await responder.start();
    const cached = token();
    await publishHttp01(leader, cached, { keyAuthorization: `${cached}.c`, name: 'd.example' });
    await waitFor(async () => ((await responder.lookup(cached)) ? true : undefined), { what: 'cached', timeoutMs: 5000 });
    // Wait until the watch has delivered it, so the answer below comes from the cache.
    await waitFor(() => Promise.resolve(responder.cached(cached) === `${cached}.c` ? true : undefined), { what: 'token in the cache', timeoutMs: 5000, intervalMs: 10 });
    fx.etcd.process.child.kill('SIGSTOP');
    try {
      const t0 = Date.now();
      expect(await responder.lookup(cached, 'd.example')).toBe(`${cached}.c`);
      expect(Date.now() - t0).toBeLessThan(100);
    } finally {
      fx.etcd.process.child.kill('SIGCONT');
    }
    const later = token();
    await publishHttp01(leader, later, { keyAuthorization: `${later}.l`, name: 'd.example' });
    expect(await responder.lookup(later)).toBe(`${later}.l`);
    await responder.close();
  }, 20_000);
});
