// limit-rps, limit-rpm, limit-connections, limit-burst-multiplier, limit-whitelist → one RateLimit
// middleware, as ingress-nginx's limit_req and limit_conn zones: burst = rate × multiplier (default
// 5), served at once (nodelay).
import type { Middleware, RateLimit } from '../middleware.ts';
import type { AnnotationReader } from './reader.ts';
import { parseCidrList, parseWhole } from './values.ts';

export const DEFAULT_BURST_MULTIPLIER = 5;
const MAX_RATE = 1_000_000;

/** A whole number; "0" (no limit, as in ingress-nginx) and an invalid value read as undefined. */
const positive = (read: AnnotationReader, key: string, accepted: string): number | undefined => {
  const value = read(key, accepted, (w) => parseWhole(w, 0, MAX_RATE))?.value;
  return value === 0 ? undefined : value;
};

export function readRateLimit(read: AnnotationReader, zone: string): Middleware[] {
  const rps = positive(read, 'limit-rps', 'a whole number of requests per second');
  const rpm = positive(read, 'limit-rpm', 'a whole number of requests per minute');
  const connections = positive(read, 'limit-connections', 'a whole number of requests in progress');
  const multiplier = read('limit-burst-multiplier', 'a whole number from 1', (w) => parseWhole(w, 1, 1000))?.value ?? DEFAULT_BURST_MULTIPLIER;
  const buckets: RateLimit['buckets'][number][] = [];
  if (rps !== undefined) buckets.push({ perSecond: rps, burst: rps * multiplier });
  if (rpm !== undefined) buckets.push({ perSecond: rpm / 60, burst: rpm * multiplier });
  if (buckets.length === 0 && connections === undefined) return [];
  return [{ kind: 'RateLimit', zone, buckets, connections, exempt: readExempt(read) }];
}

/** limit-allowlist is ingress-nginx's newer name of limit-whitelist; it wins when both are set. */
function readExempt(read: AnnotationReader): readonly string[] {
  const cidrs = 'a comma-separated list of addresses and CIDRs';
  const allowlist = read('limit-allowlist', cidrs, parseCidrList)?.value;
  const whitelist = read('limit-whitelist', cidrs, parseCidrList)?.value;
  return allowlist ?? whitelist ?? [];
}
