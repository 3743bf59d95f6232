// Messages between the primary (controller) and its data-plane worker processes, sent over the
// fork IPC channel with "advanced" serialization, which carries Maps (the routing table) as is.
import type { DataPlaneConfig } from '../dataplane/data-plane.ts';
import type { RoutingTable } from '../routing/types.ts';
import type { CountItem } from '../dataplane/global-rate/count-sync.ts';
import type { TableDelta } from './table-delta.ts';

export interface WorkerCertificate {
  /** Server name the certificate is for, e.g. "shop.example.com" or "*.example.com". */
  readonly name: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export type ToWorker =
  /** `primaryTimeoutMs`: how long the worker waits for the primary's answer to a question. */
  | { readonly type: 'start'; readonly config: DataPlaneConfig; readonly logLevel: 'debug' | 'info' | 'warn' | 'error'; readonly worker: number; readonly primaryTimeoutMs: number }
  /** `generation` counts the primary's publishes; 0 is the empty table a worker starts with. */
  | { readonly type: 'table'; readonly table: RoutingTable; readonly generation: number }
  /** The table of `generation` as the change from the one of `base`, the last one sent to this worker. */
  | { readonly type: 'table-delta'; readonly delta: TableDelta; readonly base: number; readonly generation: number }
  /** `generation` counts the primary's certificate sets, acknowledged like tables. */
  | { readonly type: 'certificates'; readonly certificates: readonly WorkerCertificate[]; readonly generation: number }
  | { readonly type: 'challenge-answer'; readonly id: number; readonly keyAuthorization: string | undefined }
  | { readonly type: 'metrics-request'; readonly id: number }
  /** Every replica's totals for the windows of the worker's `rate-sync` `id`, in its order. */
  | { readonly type: 'rate-totals'; readonly id: number; readonly totals: readonly number[] }
  /** The drain period began (DataPlane.drain). */
  | { readonly type: 'drain' }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready'; readonly httpPort: number; readonly httpsPort: number }
  /** The worker serves this generation's table (and later ones as they come). */
  | { readonly type: 'table-applied'; readonly generation: number }
  /** A delta came for another base than the table held: send the current table whole. */
  | { readonly type: 'table-wanted' }
  /** The worker serves this generation's ACME certificates. */
  | { readonly type: 'certificates-applied'; readonly generation: number }
  | { readonly type: 'challenge'; readonly id: number; readonly token: string; readonly host: string }
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: readonly MetricJson[] }
  /** Global rate limit counts: the worker's cumulative count per window (the primary shares them: etcd). */
  | { readonly type: 'rate-sync'; readonly id: number; readonly items: readonly CountItem[] }
  | { readonly type: 'closed' };

/** One metric as prom-client's getMetricsAsJSON() gives it (opaque here; aggregated by the primary). */
export type MetricJson = Awaited<ReturnType<import('prom-client').Registry['getMetricsAsJSON']>>[number];
