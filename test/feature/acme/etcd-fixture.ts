// A throwaway single-member etcd for one feature test file (test/harness/etcd.ts, read-only
// reuse), in its own temporary directory, stopped by PID and removed afterwards; plus helpers to
// open storage clients on it that the test closes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEtcd, type EtcdConnection } from '../../../src/acme/etcd-connection.ts';
import { createEtcdStorage, type EtcdStorage } from '../../../src/acme/etcd-storage.ts';
import { startEtcd, type Etcd } from '../../harness/etcd.ts';

export interface EtcdFixture {
  readonly url: string;
  readonly etcd: Etcd;
  readonly dir: string;
  /** A new connection + storage; closed by closeAll(). */
  open(identity: string, opts?: { prefix?: string; lockTtlSeconds?: number }): Promise<{ connection: EtcdConnection; storage: EtcdStorage }>;
  closeAll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEtcdFixture(): Promise<EtcdFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'bollard-acme-etcd-'));
  const etcd = await startEtcd({ dir });
  const open: EtcdConnection[] = [];
  const closeAll = async (): Promise<void> => {
    const all = open.splice(0);
    await Promise.all(all.map((c) => c.close()));
  };
  return {
    url: etcd.url,
    etcd,
    dir,
    async open(identity, o = {}) {
      const connection = await connectEtcd({ endpoints: [etcd.url], callTimeoutMs: 3000 });
      open.push(connection);
      const storage = createEtcdStorage({ connection, prefix: o.prefix ?? '/bollard-test/acme/', identity, lockTtlSeconds: o.lockTtlSeconds ?? 2 });
      return { connection, storage };
    },
    closeAll,
    async stop() {
      await closeAll();
      await etcd.process.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
