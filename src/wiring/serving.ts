// Serving through data-plane worker processes (workers >= 1), or in the controller process
// (workers = 0, for development), behind one face: where tables are published, whether serving
// is ready, what /metrics shows, how ACME reaches the listeners, and how it all closes.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { CertificateSource } from '../acme/certificate-store.ts';
import type { RunningAcme } from '../acme/start-acme.ts';
import type { ControllerConfig } from '../config/schema.ts';
import { startDataPlane, type DataPlaneConfig } from '../dataplane/data-plane.ts';
import type { MetricsSource } from '../dataplane/admin-server.ts';
import { createBatchedWriter, toStdout } from '../log/batched-writer.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { TablePublisher } from '../reconcile/reconciler.ts';
import { startWorkerPool, type WorkerPool } from '../workers/worker-pool.ts';
import { startSharedCounts } from '../global-rate/start-shared-counts.ts';

export interface Serving {
  readonly publisher: TablePublisher;
  ready(): boolean;
  /** Ready from now on also means serving the table published last (the initial sync's). */
  requireCurrentTable(): void;
  readonly metrics: MetricsSource;
  /** Called once ACME runs, so its challenges and certificates reach the listeners. */
  attachAcme(acme: RunningAcme): void;
  /** The drain period began: clients are told to reconnect elsewhere (DataPlane.drain). */
  drain(): void;
  close(): Promise<void>;
}

export async function startServing(config: ControllerConfig, dp: DataPlaneConfig, deps: { log: Logger; metrics: Metrics }): Promise<Serving> {
  let acme: RunningAcme | undefined;
  const { log, metrics } = deps;
  // One holder of the replica's global rate limit counts (and of the etcd client for them), here in the primary.
  const counts = await startSharedCounts(config, { log, metrics });
  // In the controller's process, serving shares an isolate with the informers' caches: in the
  // proxy benchmark that served about 14% fewer requests per CPU second than one worker process
  // (5 alternating rounds, 29,800 vs 34,000), so even one worker is a process of its own.
  if (config.workers === 0) {
    const plane = await startDataPlane(dp, {
      metrics, log, accessLog: createBatchedWriter(toStdout).write, globalRateSync: (items) => counts.sync('primary', items),
      challenges: (token, host) => acme?.responder.lookup(token, host),
      certificates: (servername) => {
        const c = acme?.certificates.lookup(servername);
        return c ? { secret: { namespace: '', name: `acme:${c.name}` }, certPem: c.certPem, keyPem: c.keyPem } : undefined;
      },
    });
    return {
      publisher: plane.tables, ready: () => true, requireCurrentTable: () => undefined,
      metrics: {
        contentType: metrics.controllerRegistry.contentType,
        text: async () => `${await metrics.controllerRegistry.metrics()}\n${await metrics.dataPlaneRegistry.metrics()}`,
      },
      attachAcme: (a) => { acme = a; },
      drain: () => { plane.drain(); },
      close: async () => { await plane.close(); await counts.close(); },
    };
  }
  const httpPort = dp.httpPort === 0 ? await reservePort(dp.bindAddress) : dp.httpPort;
  const httpsPort = dp.httpsPort === 0 ? await reservePort(dp.bindAddress) : dp.httpsPort;
  const pool = startWorkerPool(config.workers, { ...dp, httpPort, httpsPort, reusePort: true }, {
    log, logLevel: config.logLevel,
    challenge: async (token, host) => acme?.responder.lookup(token, host),
    primaryTimeoutMs: config.workerIpcTimeoutMs,
    globalRateSync: counts.sync,
  });
  await pool.ready;
  log.info('listening', { listener: 'http', address: dp.bindAddress, port: httpPort, workers: config.workers });
  log.info('listening', { listener: 'https', address: dp.bindAddress, port: httpsPort, workers: config.workers });
  return {
    publisher: pool, ready: () => pool.allReady(), requireCurrentTable: () => { pool.requireCurrentTable(); },
    metrics: {
      contentType: metrics.controllerRegistry.contentType,
      text: async () => `${await metrics.controllerRegistry.metrics()}\n${await pool.metrics()}`,
    },
    attachAcme: (a) => {
      acme = a;
      feedCertificates(pool, a.certificates);
    },
    drain: () => { pool.drain(); },
    close: async () => { await pool.close(); await counts.close(); },
  };
}

/**
 * Sends `certificates` (loaded from etcd already) to the workers now and on every change. From
 * now on the pool is ready only once every worker serves them: a replica must not take traffic
 * while a host whose certificate lives only in etcd would get the default one.
 */
export function feedCertificates(pool: Pick<WorkerPool, 'setCertificates' | 'requireCurrentCertificates'>, certificates: CertificateSource): void {
  const push = (): void => {
    pool.setCertificates(certificates.names().flatMap((name) => {
      const c = certificates.lookup(name);
      return c ? [{ name, certPem: c.certPem, keyPem: c.keyPem }] : [];
    }));
  };
  certificates.onChange(push);
  push();
  pool.requireCurrentCertificates();
}

/** A free port for the workers to share: found by binding port 0, then released. */
async function reservePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => { probe.once('error', reject).listen(0, host, resolve); });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => { resolve(); }));
  return port;
}
