// ACME started while etcd is unreachable fails cleanly, so the controller's retry (wiring/
// acme-background.ts) succeeds once etcd is back: same registry, no "already registered".
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { startAcme } from '../../../src/acme/start-acme.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { signal } from '../../harness/processes.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';

let etcd: EtcdFixture;

beforeAll(async () => { etcd = await startEtcdFixture(); });
afterAll(async () => { signal(etcd.etcd.process.pid, 'SIGCONT'); await etcd.stop(); });

describe('startAcme retried after etcd was down', () => {
  it('fails while etcd is frozen, then starts with the same registry once it is back', async () => {
    const registry = new Registry();
    const settings = {
      etcdEndpoints: [etcd.url], etcdPrefix: '/bollard-retry/', etcdCaFile: '', etcdCertFile: '', etcdKeyFile: '',
      acmeDirectory: 'https://127.0.0.1:1/dir', acmeEmail: 'retry@bollard.test', acmeCaFile: '', acmeLeaseTtlSeconds: 3, podName: 'retry',
    };
    const deps = { log: silentLogger, registry, snapshot: new ClusterState() };
    expect(signal(etcd.etcd.process.pid, 'SIGSTOP')).toBe(true);
    await expect(startAcme(settings, deps)).rejects.toBeDefined();
    expect(signal(etcd.etcd.process.pid, 'SIGCONT')).toBe(true);
    const acme = await startAcme(settings, deps);
    expect(acme.certificates.names()).toEqual([]);
    expect(await registry.getSingleMetric('bollard_acme_leader')?.get()).toBeDefined();
    await acme.stop();
  }, 40_000);
});
