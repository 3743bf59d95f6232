// Readiness and ACME: with ACME on, a replica is ready only once the ACME certificates in etcd are
// loaded and handed to its listeners; before that a host whose certificate lives only in etcd
// would get the default certificate. etcd being down must not keep every replica out of service
// for good, though: after --acme-ready-timeout-seconds the replica is ready without them (logged).
import type { Logger } from '../log/logger.ts';

export interface AcmeReadiness {
  ready(): boolean;
  /** The certificates are loaded and attached to the listeners. */
  loaded(): void;
  /** Starts the timeout (at the initial sync). */
  start(): void;
  stop(): void;
}

export function createAcmeReadiness(opts: { readonly enabled: boolean; readonly timeoutSeconds: number; readonly log: Logger }): AcmeReadiness {
  let ready = !opts.enabled || opts.timeoutSeconds === 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    ready: () => ready,
    loaded() {
      ready = true;
      clearTimeout(timer);
    },
    start() {
      if (ready) return;
      timer = setTimeout(() => {
        ready = true;
        opts.log.warn('ready without ACME certificates: they could not be loaded from etcd in time', { seconds: opts.timeoutSeconds });
      }, opts.timeoutSeconds * 1000);
      timer.unref();
    },
    stop() { clearTimeout(timer); },
  };
}
