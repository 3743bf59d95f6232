// One in-process "replica" of the ACME machinery for feature tests: its own etcd connection and
// storage, an HTTP-01 responder with its request handler, a certificate source and an issuer.
import { Registry } from 'prom-client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCertificateSource, type CertificateSource } from '../../../src/acme/certificate-store.ts';
import { realTimers } from '../../../src/acme/due-queue.ts';
import type { EtcdConnection } from '../../../src/acme/etcd-connection.ts';
import type { EtcdStorage } from '../../../src/acme/etcd-storage.ts';
import { createHttp01Handler, createHttp01Responder, type Http01Responder } from '../../../src/acme/http01-responder.ts';
import { createIssuer, type Issuer, type IssuerOptions } from '../../../src/acme/issuer.ts';
import { createAcmeMetrics, type AcmeMetrics } from '../../../src/acme/metrics.ts';
import type { IngressEvent } from '../../../src/kube/events.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { EtcdFixture } from './etcd-fixture.ts';

export interface TestReplica {
  readonly id: string;
  readonly connection: EtcdConnection;
  readonly storage: EtcdStorage;
  readonly responder: Http01Responder;
  readonly handle: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly certificates: CertificateSource;
  readonly issuer: Issuer;
  readonly metrics: AcmeMetrics;
  readonly registry: Registry;
  readonly events: { name: string; event: IngressEvent }[];
  close(): Promise<void>;
}

export function issuerOptions(directoryUrl: string, email: string, extra: Partial<IssuerOptions> = {}): IssuerOptions {
  return { directoryUrl, email, backoff: { baseMs: 60_000, maxMs: 6 * 3_600_000 }, lockWaitMs: 30_000, concurrency: 10, pollMinMs: 100, ...extra };
}

export async function startReplica(fx: EtcdFixture, id: string, opts: IssuerOptions, now: () => number = Date.now): Promise<TestReplica> {
  const { connection, storage } = await fx.open(id, { lockTtlSeconds: 3 });
  const responder = createHttp01Responder(storage, silentLogger);
  const certificates = createCertificateSource(storage, silentLogger);
  await Promise.all([responder.start(), certificates.start()]);
  const registry = new Registry();
  const metrics = createAcmeMetrics(registry);
  const events: { name: string; event: IngressEvent }[] = [];
  const issuer = createIssuer(opts, {
    storage, log: silentLogger, metrics, now, random: Math.random, timers: realTimers,
    onEvent: (name, event) => { events.push({ name, event }); },
  });
  return {
    id, connection, storage, responder, handle: createHttp01Handler(responder), certificates, issuer, metrics, registry, events,
    async close() {
      await issuer.stop();
      await Promise.all([responder.close(), certificates.close()]);
      await connection.close();
    },
  };
}
