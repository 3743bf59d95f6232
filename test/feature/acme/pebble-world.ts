// The set-up the issuer feature tests against real Pebble share: a temp dir, a validation front,
// an etcd fixture and Pebble (its directory CA trusted and written to caFile), and the test's
// replicas; stop() closes the replicas, the front, Pebble and etcd, then removes the temp dir.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trustAcmeDirectoryCa } from '../../../src/acme/acme-client.ts';
import { startPebble, type Pebble } from '../../harness/pebble.ts';
import { startEtcdFixture, type EtcdFixture } from './etcd-fixture.ts';
import type { TestReplica } from './replica.ts';
import { startValidationFront, type ValidationFront } from './validation-front.ts';

export interface PebbleWorld {
  readonly dir: string;
  /** The directory's CA certificate (PEM file in dir). */
  readonly caFile: string;
  readonly fx: EtcdFixture;
  readonly pebble: Pebble;
  readonly front: ValidationFront;
  /** Closed by stop(), first. */
  readonly replicas: TestReplica[];
  stop(): Promise<void>;
}

export async function startPebbleWorld(tmpPrefix: string): Promise<PebbleWorld> {
  const dir = await mkdtemp(join(tmpdir(), tmpPrefix));
  const front = await startValidationFront();
  const [fx, pebble] = await Promise.all([startEtcdFixture(), startPebble({ dir, validationPort: front.port })]);
  trustAcmeDirectoryCa(pebble.caPem);
  const caFile = join(dir, 'directory-ca.pem');
  await writeFile(caFile, pebble.caPem);
  const replicas: TestReplica[] = [];
  return {
    dir, caFile, fx, pebble, front, replicas,
    async stop() {
      await Promise.all(replicas.splice(0).map((r) => r.close()));
      await front.close();
      await pebble.stop();
      await fx.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
