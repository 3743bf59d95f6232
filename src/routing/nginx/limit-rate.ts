// limit-rate and limit-rate-after → one ResponseRateLimit middleware, as ingress-nginx writes
// nginx's limit_rate and limit_rate_after: both in kilobytes (1024 bytes), limit-rate per second;
// "0" (or no limit-rate) means no limit, and limit-rate-after alone does nothing.
import type { Middleware } from '../middleware.ts';
import type { AnnotationReader } from './reader.ts';
import { parseWhole } from './values.ts';

const KILOBYTE = 1024;
/** 10 GiB/s: far above any link a throttle is meant for. */
const MAX_KILOBYTES = 10 * 1024 * 1024;

export function readLimitRate(read: AnnotationReader): Middleware[] {
  const rate = read('limit-rate', 'a whole number of kilobytes per second ("0": no limit)', (w) => parseWhole(w, 0, MAX_KILOBYTES))?.value;
  const after = read('limit-rate-after', 'a whole number of kilobytes', (w) => parseWhole(w, 0, MAX_KILOBYTES))?.value ?? 0;
  if (rate === undefined || rate === 0) return [];
  return [{ kind: 'ResponseRateLimit', bytesPerSecond: rate * KILOBYTE, afterBytes: after * KILOBYTE }];
}
