// Data-plane settings, derived from the controller configuration by controller.ts.
import type { CompressionSettings } from './compression/choose.ts';

export interface DataPlaneOptions {
  /** CIDRs whose X-Forwarded-* / Forwarded headers are trusted and extended; others are replaced. */
  readonly trustedProxies: readonly string[];
  /** Add a Via header to requests and responses. */
  readonly via: boolean;
  /** Upstream connect timeout. */
  readonly connectTimeoutMs: number;
  /** Extra endpoints tried for an idempotent request without a body when connecting fails. */
  readonly retries: number;
  /** Consecutive failures (connect errors, resets) that eject an endpoint... */
  readonly ejectAfterFailures: number;
  /** ...for this long, doubling on repeated ejections up to 8x. */
  readonly ejectMs: number;
  /** The status of a request refused by a rate limit (nginx limit-rps/-rpm). */
  readonly limitRejectionStatus: number;
  /** The status of a request refused by a global rate limit (nginx global-rate-limit; ingress-nginx: 429). */
  readonly globalRateLimitStatus?: number;
  /** How often global rate limit counts are exchanged with the primary (and etcd). */
  readonly globalRateLimitSyncMs?: number;
  /** --use-gzip, --enable-brotli: answers compressed for clients that accept it; absent: none. */
  readonly compression?: CompressionSettings;
}

export const defaultDataPlaneOptions: DataPlaneOptions = {
  trustedProxies: [],
  via: false,
  connectTimeoutMs: 5_000,
  retries: 2,
  ejectAfterFailures: 5,
  ejectMs: 10_000,
  limitRejectionStatus: 503,
  globalRateLimitStatus: 429,
  globalRateLimitSyncMs: 200,
};
