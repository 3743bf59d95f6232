// global-rate-limit, -window, -key, -ignored-cidrs → one GlobalRateLimit middleware, as ingress-nginx
// (up to v1.11) configured lua-resty-global-throttle: one counter set per Ingress (its UID), so every
// path of the Ingress counts together; the key defaults to $remote_addr; the window is a Go duration
// taken in whole seconds. Without a limit (or "0") or a window, nothing is limited, as in ingress-nginx.
import type { GlobalRateLimit, HashKeyPart, Middleware } from '../middleware.ts';
import type { Parsed } from '../option-values.ts';
import type { IngressObject } from '../../snapshot/model.ts';
import type { AnnotationReader } from './reader.ts';
import { parseKeyTemplate } from './upstream-hash.ts';
import { parseCidrList, parseWhole } from './values.ts';

const MAX_LIMIT = 1_000_000_000;
/** A week: a counter's etcd lease lives two windows. */
export const MAX_WINDOW_SECONDS = 7 * 24 * 3600;
const DEFAULT_KEY: readonly HashKeyPart[] = [{ value: 'remote_addr' }];
const UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const DURATION = /^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$/u;
const TERM = /([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)/gu;

/** Go's time.ParseDuration (no sign), in whole seconds (ingress-nginx truncates); 1 s to a week. */
export function parseWindow(written: string): Parsed<number> | undefined {
  if (!DURATION.test(written)) return undefined;
  let seconds = 0;
  for (const [, amount = '', unit = ''] of written.matchAll(TERM)) seconds += Number(amount) * (UNITS[unit] ?? 0);
  // A rounding step keeps "1.1s" at 1 and "0.5m" at 30 despite binary fractions.
  const whole = Math.floor(seconds + 1e-9);
  return whole >= 1 && whole <= MAX_WINDOW_SECONDS ? { value: whole } : undefined;
}

/** The Ingress's counters: its UID (ingress-nginx's namespace), or namespace/name where there is none. */
export function ruleOf(ingress: Pick<IngressObject, 'uid' | 'namespace' | 'name'>): string {
  return ingress.uid !== '' ? ingress.uid : `${ingress.namespace}/${ingress.name}`;
}

const keyOr = (key: readonly HashKeyPart[] | undefined): readonly HashKeyPart[] => (key !== undefined && key.length > 0 ? key : DEFAULT_KEY);

export function readGlobalRateLimit(read: AnnotationReader, ingress: Pick<IngressObject, 'uid' | 'namespace' | 'name'>): Middleware[] {
  const limit = read('global-rate-limit', 'a whole number of requests per window ("0": no limit)', (w) => parseWhole(w, 0, MAX_LIMIT))?.value;
  const windowSeconds = read('global-rate-limit-window', 'a duration from 1s to 168h, such as 1s, 30s, 1m or 1h30m', parseWindow,
    'No global rate limit applies')?.value;
  const key = read('global-rate-limit-key', 'text and nginx variables, such as $remote_addr, $http_x_api_client or ${remote_addr}-${http_x_api_client}',
    parseKeyTemplate, 'The key is $remote_addr')?.value;
  // Empty means none, as ingress-nginx reads it.
  const exempt = read('global-rate-limit-ignored-cidrs', 'a comma-separated list of addresses and CIDRs', (w) => (w.trim() === '' ? { value: [] } : parseCidrList(w)),
    'No global rate limit applies, as in ingress-nginx');
  const usable = limit !== undefined && limit > 0 && windowSeconds !== undefined;
  if (!usable || (read.has('global-rate-limit-ignored-cidrs') && exempt === undefined)) return [];
  const filter: GlobalRateLimit = {
    kind: 'GlobalRateLimit', rule: ruleOf(ingress), limit, windowSeconds, key: keyOr(key), exempt: exempt?.value ?? [],
  };
  return [filter];
}
