// The controller-wide forward authentication (--global-auth-*, ingress-nginx's global-auth-* keys):
// one ForwardAuth every Ingress route runs unless its Ingress says enable-global-auth "false" or has
// an auth-url of its own. Its values were checked with the same parsers when the flags were read.
import type { ForwardAuth } from '../middleware.ts';
import { parseCacheKey, parseDurations } from './auth-cache.ts';
import { parseUrlTemplate, splitList } from './values.ts';

export interface GlobalAuthSettings {
  readonly url: string;
  readonly method: string;
  readonly signin: string;
  readonly responseHeaders: string;
  readonly requestRedirect: string;
  readonly alwaysSetCookie: boolean;
  readonly cacheKey: string;
  readonly cacheDuration: string;
}

/** The ForwardAuth of the settings; undefined without a URL (or with one that does not parse). */
export function buildGlobalAuth(settings: GlobalAuthSettings): ForwardAuth | undefined {
  const url = parseUrlTemplate(settings.url)?.value;
  if (url === undefined) return undefined;
  const key = settings.cacheKey === '' ? undefined : parseCacheKey(settings.cacheKey)?.value;
  const durations = parseDurations(settings.cacheDuration)?.value;
  return {
    kind: 'ForwardAuth', url, method: settings.method, signin: settings.signin === '' ? undefined : parseUrlTemplate(settings.signin)?.value,
    signinRedirectParam: 'rd', copyHeaders: splitList(settings.responseHeaders).map((h) => h.toLowerCase()),
    requestRedirect: settings.requestRedirect === '' ? undefined : settings.requestRedirect,
    ...(settings.alwaysSetCookie ? { alwaysSetCookie: true } : {}),
    ...(key === undefined || durations === undefined ? {} : { cache: { key, durations } }),
  };
}
