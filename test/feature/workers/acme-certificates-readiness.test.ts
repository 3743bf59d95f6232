// Readiness waits for the ACME certificates in etcd: a replica used to report ready 40-65 ms
// before its workers had them, and in that window a host whose certificate lives only in etcd got
// the default certificate. Real etcd, a real forked worker, real TLS handshakes.
import { startOneWorker } from './pool-support.ts';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { connect } from 'node:tls';
import { createCertificateSource, type CertificateSource } from '../../../src/acme/certificate-store.ts';
import { certificateKeys } from '../../../src/acme/keys.ts';
import { generateSelfSigned } from '../../../src/dataplane/tls/default-certificate.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { feedCertificates } from '../../../src/wiring/serving.ts';
import type { WorkerPool } from '../../../src/workers/worker-pool.ts';
import { freePort } from '../../harness/free-port.ts';
import { waitFor } from '../../harness/wait-for.ts';
import { startEtcdFixture, type EtcdFixture } from '../acme/etcd-fixture.ts';

const HOST = 'etcd-only.test';
let etcd: EtcdFixture;
let pool: WorkerPool;
let source: CertificateSource | undefined;
let httpsPort = 0;

beforeAll(async () => {
  etcd = await startEtcdFixture();
  const [fallback, own] = await Promise.all([generateSelfSigned('default.invalid'), generateSelfSigned(HOST)]);
  const { storage } = await etcd.open('readiness');
  await storage.store(certificateKeys(HOST).key, own.keyPem);
  await storage.store(certificateKeys(HOST).cert, own.certPem);
  httpsPort = await freePort();
  pool = startOneWorker({ httpPort: await freePort(), httpsPort }, fallback);
  await pool.ready;
}, 30_000);

afterAll(async () => {
  await source?.close();
  await pool.close();
  await etcd.stop();
});

const servedSubject = (servername: string): Promise<string> => new Promise((resolve, reject) => {
  const socket = connect({ host: '127.0.0.1', port: httpsPort, servername, rejectUnauthorized: false }, () => {
    const cn = socket.getPeerCertificate().subject.CN;
    socket.end();
    resolve(typeof cn === 'string' ? cn : String(cn));
  });
  socket.once('error', reject);
});

const allReady = (what: string): Promise<true> => waitFor(() => Promise.resolve(pool.allReady() ? true : undefined), { what, timeoutMs: 20_000, intervalMs: 20 });

it('is ready only once the worker serves the certificates loaded from etcd', async () => {
  await allReady('worker serves its first table');
  // Without ACME's certificates the host gets the default one: what readiness must not allow.
  expect(await servedSubject(HOST)).toBe('default.invalid');

  source = createCertificateSource((await etcd.open('replica')).storage, silentLogger);
  await source.start();
  expect(source.names()).toEqual([HOST]);
  feedCertificates(pool, source);
  // The certificates are on their way over IPC: the worker cannot have acknowledged them yet.
  expect(pool.allReady()).toBe(false);
  await allReady('worker serves the ACME certificates');
  expect(await servedSubject(HOST)).toBe(HOST);
}, 30_000);
