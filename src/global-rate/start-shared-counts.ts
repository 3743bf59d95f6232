// The replica's shared global rate limit counts, in the controller (primary) process: its data-plane
// processes send their counts here (over IPC, or directly with --workers 0), and with
// --etcd-endpoints they meet the other replicas' in etcd through this process's one client for
// them (workers open none). It is not ACME's client: ACME connects only with --acme-enabled and after
// the initial sync, and closes its client with release steps (resign, revoke) at shutdown; both are
// made from the same --etcd-* flags. Without etcd, or while it fails, the replica counts alone:
// logged when that starts and ends, and bollard_global_rate_limit_shared says which.
import { randomBytes } from 'node:crypto';
import { connectEtcd, type EtcdConnection } from '../acme/etcd-connection.ts';
import type { SourcedCountSync } from '../dataplane/global-rate/count-sync.ts';
import { createSharedCounts, type CountBackend } from '../dataplane/global-rate/shared-counts.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import { createEtcdCounts } from './etcd-counts.ts';

export interface SharedCountsSettings {
  readonly etcdEndpoints: readonly string[];
  readonly etcdCaFile: string;
  readonly etcdCertFile: string;
  readonly etcdKeyFile: string;
  readonly globalRateLimitEtcdPrefix: string;
  readonly podName: string;
}

export interface SharedCounts {
  readonly sync: SourcedCountSync;
  close(): Promise<void>;
}

type Deps = { readonly log: Logger; readonly metrics: Metrics; readonly now?: () => number };

/** Unique among running replicas: a restarted Pod of the same name must not overwrite its former counts. */
const replicaName = (podName: string): string => `${podName.replaceAll('/', '_') || 'bollard'}-${randomBytes(4).toString('hex')}`;

async function backendOf(settings: SharedCountsSettings, deps: Deps): Promise<{ backend?: CountBackend; connection?: EtcdConnection; reason: string }> {
  if (settings.etcdEndpoints.length === 0) return { reason: 'no --etcd-endpoints' };
  try {
    const connection = await connectEtcd({
      endpoints: settings.etcdEndpoints, caFile: settings.etcdCaFile, certFile: settings.etcdCertFile, keyFile: settings.etcdKeyFile, callTimeoutMs: 2000,
    });
    const backend = createEtcdCounts({
      client: connection.client, prefix: settings.globalRateLimitEtcdPrefix, replica: replicaName(settings.podName), ...(deps.now ? { now: deps.now } : {}),
    });
    return { backend, connection, reason: '' };
  } catch (err: unknown) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}

export async function startSharedCounts(settings: SharedCountsSettings, deps: Deps): Promise<SharedCounts> {
  const { log, metrics } = deps;
  const { backend, connection, reason } = await backendOf(settings, deps);
  const sync = createSharedCounts({
    backend, withoutBackend: reason, ...(deps.now ? { now: deps.now } : {}),
    onShared: (shared, why) => {
      metrics.globalRateLimitShared.set(shared ? 1 : 0);
      if (shared) log.info('global rate limits are counted across replicas through etcd');
      else log.warn('global rate limits are counted by this replica alone', { reason: why });
    },
    onExchange: (seconds, failed) => {
      metrics.globalRateLimitSyncDuration.observe(seconds);
      if (failed) metrics.globalRateLimitSyncErrors.inc();
    },
  });
  return { sync, close: async () => { await connection?.close(); } };
}
