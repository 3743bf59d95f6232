// One forked data-plane worker on 127.0.0.1 for the worker feature tests: fixed ports (the
// controller reserves them for its workers, SO_REUSEPORT), default limits and options.
import { defaultDataPlaneOptions } from '../../../src/dataplane/options.ts';
import { defaultListenerLimits } from '../../../src/dataplane/servers.ts';
import type { PemPair } from '../../../src/dataplane/tls/default-certificate.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { startWorkerPool, type WorkerPool, type WorkerPoolDeps } from '../../../src/workers/worker-pool.ts';

export function startOneWorker(ports: { httpPort: number; httpsPort: number }, fallback: PemPair, deps: Partial<WorkerPoolDeps> = {}): WorkerPool {
  return startWorkerPool(1, {
    bindAddress: '127.0.0.1', ...ports, httpsRedirectPort: 443, httpPublicPort: 80, accessLog: false, reusePort: true,
    limits: defaultListenerLimits, options: defaultDataPlaneOptions,
    tls: { defaultCertPem: fallback.certPem, defaultKeyPem: fallback.keyPem, minVersion: 'TLSv1.2', ciphers: undefined, sniStrict: false },
  }, { log: silentLogger, logLevel: 'error', challenge: () => Promise.resolve(undefined), primaryTimeoutMs: 5_000, ...deps });
}
