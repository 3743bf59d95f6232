// ACME benchmark against Pebble (PEBBLE_VA_NOSLEEP=1) and a real etcd: issuance time for 1, 10
// and 100 names by one issuer (concurrency 10), leader failover time (SIGKILL of the leader to a
// new leader elected; SIGKILL mid-order to that order completed by the survivor), and etcd keys
// and bytes per certificate. Writes bench/results/acme.json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trustAcmeDirectoryCa } from '../src/acme/acme-client.ts';
import { createEtcdElection } from '../src/leader/etcd-election.ts';
import { silentLogger } from '../src/log/logger.ts';
import { startPebble } from '../test/harness/pebble.ts';
import { waitFor } from '../test/harness/wait-for.ts';
import { spawnTsChild } from '../test/feature/acme/child-line.ts';
import { startEtcdFixture, type EtcdFixture } from '../test/feature/acme/etcd-fixture.ts';
import { issuerOptions, startReplica } from '../test/feature/acme/replica.ts';
import { startValidationFront } from '../test/feature/acme/validation-front.ts';
import { round } from './lib/stats.ts';
import { writeResults } from './lib/results.ts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const SIZES = [1, 10, 100];
const LEASE_TTL_SECONDS = 3;

async function electionFailoverMs(fx: EtcdFixture): Promise<number> {
  const { proc } = await spawnTsChild('test/feature/acme/campaigner.ts', [fx.url, '/bench/acme/', 'bench', 'child', String(LEASE_TTL_SECONDS)]);
  const { connection } = await fx.open('bench-survivor');
  const stop = new AbortController();
  const election = createEtcdElection({ name: 'bench', identity: 'survivor', ttlSeconds: LEASE_TTL_SECONDS, retryMs: 200 }, {
    etcd: connection.client.namespace('/bench/acme/'), log: silentLogger, now: Date.now,
    wait: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
  });
  const run = election.run(stop.signal);
  await sleep(300);
  const t0 = performance.now();
  proc.child.kill('SIGKILL');
  await waitFor(() => Promise.resolve(election.isLeader() ? true : undefined), { what: 'new leader', timeoutMs: 20_000, intervalMs: 5 });
  const ms = performance.now() - t0;
  stop.abort();
  await run;
  return ms;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bollard-bench-acme-'));
  const front = await startValidationFront();
  const [fx, pebble] = await Promise.all([startEtcdFixture(), startPebble({ dir, validationPort: front.port })]);
  trustAcmeDirectoryCa(pebble.caPem);
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, pebble.caPem);
  try {
    const r = await startReplica(fx, 'bench', issuerOptions(pebble.directoryUrl, 'bench@bollard.test'));
    front.route([r]);
    r.issuer.start();
    await r.issuer.ensure('warmup.bench.test'); // account registration outside the measurements
    const issuance = [];
    for (const n of SIZES) {
      const names = Array.from({ length: n }, (_, i) => `n${i}.s${n}.bench.test`);
      const t0 = performance.now();
      r.issuer.setNames(names);
      await waitFor(() => Promise.resolve(names.every((x) => r.certificates.lookup(x)) ? true : undefined), { what: `${n} certificates`, timeoutMs: 300_000, intervalMs: 20 });
      const ms = performance.now() - t0;
      issuance.push({ names: n, totalMs: round(ms), perNameMs: round(ms / n) });
      say(`issuance: ${n} names in ${round(ms)} ms`);
    }
    const keys = await r.storage.list('certificates', true);
    const stats = await Promise.all(keys.map((k) => r.storage.stat(k)));
    const certificates = new Set(keys.map((k) => k.split('/')[1])).size;
    const bytes = stats.reduce((s, x) => s + x.size, 0);
    const storage = { certificates, keysPerCertificate: round(keys.length / certificates), bytesPerCertificate: Math.round(bytes / certificates) };
    say(`storage: ${JSON.stringify(storage)}`);
    await r.close();

    const election = round(await electionFailoverMs(fx));
    say(`election failover: ${election} ms (lease TTL ${LEASE_TTL_SECONDS} s)`);

    const survivor = await startReplica(fx, 'survivor', issuerOptions(pebble.directoryUrl, 'bench@bollard.test'));
    const held: { req: IncomingMessage; res: ServerResponse }[] = [];
    front.route([{ id: 'hold', handle: (req, res) => { held.push({ req, res }); return true; } }]);
    const { proc } = await spawnTsChild('test/feature/acme/issuer-child.ts', [fx.url, '/bollard-test/acme/', pebble.directoryUrl, caFile, 'failover.bench.test']);
    await waitFor(() => Promise.resolve(held.length > 0 ? true : undefined), { what: 'validation', timeoutMs: 15_000 });
    const t0 = performance.now();
    proc.child.kill('SIGKILL');
    front.route([survivor]);
    for (const h of held.splice(0)) survivor.handle(h.req, h.res);
    survivor.issuer.start();
    const outcome = await survivor.issuer.ensure('failover.bench.test');
    const orderResumedMs = round(performance.now() - t0);
    say(`order failover: ${outcome} after ${orderResumedMs} ms`);
    await survivor.close();

    const file = await writeResults('acme', {
      pebble: { nosleep: true, ordersSeen: await pebble.orders() },
      issuance,
      failover: { leaseTtlSeconds: LEASE_TTL_SECONDS, electionMs: election, orderResumedMs, orderOutcome: outcome },
      storage,
    });
    say(`wrote ${file}`);
  } finally {
    await front.close();
    await pebble.stop();
    await fx.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
