// auth-cache-key and auth-cache-duration: the key is an nginx string whose variables are filled in
// per request ($remote_user$http_authorization is the usual one); durations are proxy_cache_valid
// lists as ingress-nginx validates them ("200 202 10m, 401 5m"; codes, "any", then one or more
// times that add up). Caching opens nothing, so a value that does not parse is reported and the
// answers are not cached (ingress-nginx refuses the location for a bad duration).
import type { AuthCache, KeyPart, RequestValue } from '../middleware.ts';
import type { Parsed } from '../option-values.ts';
import type { AnnotationReader } from './reader.ts';

/** ingress-nginx's default: 200, 202 and 401 for five minutes. */
const DEFAULT_DURATIONS: AuthCache['durations'] = [{ statuses: [200, 202, 401], seconds: 300 }];
/** proxy_cache_valid with a time only: 200, 301 and 302. */
const TIME_ONLY = [200, 301, 302];
const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, M: 2_592_000, y: 31_536_000 };
const TIME = /^([0-9]{1,9})(ms|s|m|h|d|w|M|y)$/;
const VARIABLE = /\$(?:\{([a-z0-9_]+)\}|([a-z0-9_]+))/g;
const PLAIN: ReadonlySet<string> = new Set(['scheme', 'host', 'request_uri', 'uri', 'args', 'is_args', 'remote_addr', 'remote_user', 'request_method']);
const ALIASES: Readonly<Record<string, string>> = { http_host: 'host', query_string: 'args' };

export function readAuthCache(read: AnnotationReader): AuthCache | undefined {
  if (!read.has('auth-cache-key')) return undefined;
  const notCached = 'Answers of the authentication service are not cached';
  const key = read('auth-cache-key', 'text with nginx variables such as $remote_user$http_authorization', parseCacheKey, notCached)?.value;
  const durations = read('auth-cache-duration', 'status codes then a time, comma-separated, such as "200 202 10m, 401 5m"', parseDurations, notCached);
  if (key === undefined || (durations === undefined && read.has('auth-cache-duration'))) return undefined;
  return { key, durations: durations?.value ?? DEFAULT_DURATIONS };
}

export function parseCacheKey(written: string): Parsed<readonly KeyPart[]> | undefined {
  if (written === '' || !/^[\x20-\x7e]*$/.test(written)) return undefined;
  const parts: KeyPart[] = [];
  let at = 0;
  for (const match of written.matchAll(VARIABLE)) {
    const part = variablePart(match[1] ?? match[2] ?? '');
    if (part === undefined) return undefined;
    if (match.index > at) parts.push(written.slice(at, match.index));
    parts.push(part);
    at = match.index + match[0].length;
  }
  if (at < written.length) parts.push(written.slice(at));
  return parts.some((p) => typeof p === 'string' && p.includes('$')) ? undefined : { value: parts };
}

function variablePart(name: string): KeyPart | undefined {
  if (name.startsWith('http_') && name.length > 5) return { header: name.slice(5).replaceAll('_', '-') };
  if (name.startsWith('cookie_') && name.length > 7) return { cookie: name.slice(7) };
  const plain = ALIASES[name] ?? name;
  return PLAIN.has(plain) ? { value: plain as RequestValue | 'remote_addr' | 'remote_user' | 'request_method' } : undefined;
}

export function parseDurations(written: string): Parsed<AuthCache['durations']> | undefined {
  const entries = written.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const out: AuthCache['durations'][number][] = [];
  for (const entry of entries) {
    const parsed = parseDuration(entry);
    if (parsed === undefined) return undefined;
    out.push(parsed);
  }
  return out.length > 0 ? { value: out } : undefined;
}

/** "[code ...|any] time [time ...]": codes before times only, at least one time. */
function parseDuration(entry: string): AuthCache['durations'][number] | undefined {
  const elements = entry.split(/\s+/);
  const firstTime = elements.findIndex((e) => TIME.test(e));
  if (firstTime < 0) return undefined;
  const heads = elements.slice(0, firstTime);
  const times = elements.slice(firstTime).map((e) => TIME.exec(e));
  if (!heads.every((e) => e === 'any' || /^[1-5][0-9]{2}$/.test(e)) || times.some((t) => t === null)) return undefined;
  const seconds = times.reduce((sum, t) => sum + Number(t?.[1]) * (UNIT_SECONDS[t?.[2] ?? 's'] ?? 1), 0);
  if (seconds <= 0) return undefined;
  const codes = heads.filter((e) => e !== 'any').map(Number);
  return { statuses: heads.includes('any') ? 'any' : codes.length > 0 ? codes : TIME_ONLY, seconds };
}
