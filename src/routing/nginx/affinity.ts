// affinity: cookie, affinity-mode and the session-cookie-* annotations → one SessionPersistence
// middleware, with ingress-nginx's defaults (balanced, cookie INGRESSCOOKIE, path of the route, a
// session cookie).
import type { Middleware, SessionPersistence } from '../middleware.ts';
import type { Parsed } from '../option-values.ts';
import type { AnnotationReader } from './reader.ts';
import { parseAbsolutePath, parseGoBoolean, parseWhole } from './values.ts';

export const DEFAULT_COOKIE_NAME = 'INGRESSCOOKIE';
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const SAME_SITE: Readonly<Record<string, SessionPersistence['sameSite']>> = { none: 'None', lax: 'Lax', strict: 'Strict' };
const TEN_YEARS = 315_360_000;
/** A cookie Domain: host-name labels, optionally with the leading dot old browsers wrote. */
const DOMAIN = /^\.?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i;

const parseSameSite = (w: string): Parsed<SessionPersistence['sameSite']> | undefined => {
  const v = SAME_SITE[w.toLowerCase()];
  return v === undefined ? undefined : { value: v };
};

const parseMode = (w: string): Parsed<SessionPersistence['mode']> | undefined => (w === 'balanced' || w === 'persistent' ? { value: w } : undefined);
const readMode = (read: AnnotationReader): SessionPersistence['mode'] => read('affinity-mode', '"balanced" or "persistent"', parseMode)?.value ?? 'balanced';

export function readAffinity(read: AnnotationReader): Middleware[] {
  if (read('affinity', '"cookie"', (w) => (w === 'cookie' ? { value: w } : undefined))?.value !== 'cookie') return [];
  const seconds = (w: string) => parseWhole(w, 1, TEN_YEARS);
  return [{
    kind: 'SessionPersistence',
    mode: readMode(read),
    cookieName: read('session-cookie-name', 'a cookie name (letters, digits and !#$%&\'*+.^_`|~-)', (w) => (TOKEN.test(w) ? { value: w } : undefined))?.value ?? DEFAULT_COOKIE_NAME,
    path: read('session-cookie-path', 'an absolute path such as /app', parseAbsolutePath)?.value,
    maxAgeSeconds: read('session-cookie-max-age', 'whole seconds', seconds)?.value,
    expiresSeconds: read('session-cookie-expires', 'whole seconds', seconds)?.value,
    sameSite: read('session-cookie-samesite', 'None, Lax or Strict', parseSameSite)?.value,
    secure: read('session-cookie-secure', '"true" or "false"', parseGoBoolean)?.value === true,
    changeOnFailure: read('session-cookie-change-on-failure', '"true" or "false"', parseGoBoolean)?.value === true,
    ...readCookieScope(read),
  }];
}

/** session-cookie-domain and session-cookie-conditional-samesite-none: set only when written, so other chains keep their keys. */
function readCookieScope(read: AnnotationReader): Pick<SessionPersistence, 'domain' | 'conditionalSameSiteNone'> {
  const domain = read('session-cookie-domain', 'a domain such as example.com', (w) => (w.length <= 253 && DOMAIN.test(w) ? { value: w.toLowerCase() } : undefined))?.value;
  const conditional = read('session-cookie-conditional-samesite-none', '"true" or "false"', parseGoBoolean)?.value === true;
  return { ...(domain === undefined ? {} : { domain }), ...(conditional ? { conditionalSameSiteNone: true } : {}) };
}
