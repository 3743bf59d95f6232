// limit-rps, limit-rpm, limit-burst-multiplier, limit-whitelist → one RateLimit middleware, as
// ingress-nginx's limit_req zones: burst = rate × multiplier (default 5), served at once (nodelay).
import type { Middleware, RateLimit } from '../middleware.ts';
import type { AnnotationReader } from './reader.ts';
import { parseCidrList, parseWhole } from './values.ts';

export const DEFAULT_BURST_MULTIPLIER = 5;
const MAX_RATE = 1_000_000;

export function readRateLimit(read: AnnotationReader, zone: string): Middleware[] {
  const rps = read('limit-rps', 'a whole number of requests per second', (w) => parseWhole(w, 0, MAX_RATE))?.value ?? 0;
  const rpm = read('limit-rpm', 'a whole number of requests per minute', (w) => parseWhole(w, 0, MAX_RATE))?.value ?? 0;
  const multiplier = read('limit-burst-multiplier', 'a whole number from 1', (w) => parseWhole(w, 1, 1000))?.value ?? DEFAULT_BURST_MULTIPLIER;
  const exempt = readExempt(read);
  const buckets: RateLimit['buckets'][number][] = [];
  // "0" means no limit, as in ingress-nginx.
  if (rps > 0) buckets.push({ perSecond: rps, burst: rps * multiplier });
  if (rpm > 0) buckets.push({ perSecond: rpm / 60, burst: rpm * multiplier });
  if (buckets.length === 0) return [];
  return [{ kind: 'RateLimit', zone, buckets, exempt }];
}

/** limit-allowlist is ingress-nginx's newer name of limit-whitelist; it wins when both are set. */
function readExempt(read: AnnotationReader): readonly string[] {
  const cidrs = 'a comma-separated list of addresses and CIDRs';
  const allowlist = read('limit-allowlist', cidrs, parseCidrList)?.value;
  const whitelist = read('limit-whitelist', cidrs, parseCidrList)?.value;
  return allowlist ?? whitelist ?? [];
}
