// canary and canary-*: an Ingress marked canary does not compete for its host and path; it gives the
// route of the main Ingress (the one that wins the same host, pathType and path) a second backend,
// chosen per request as ingress-nginx does: by header, then by cookie, then by weight.
import type { IngressObject } from '../../snapshot/model.ts';
import type { CanaryRule } from '../types.ts';
import type { AnnotationReader } from './reader.ts';
import { NGINX_PREFIX } from './catalog.ts';
import { parseGoBoolean, parseWhole } from './values.ts';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Whether the Ingress is a canary (read wherever claims are settled; its value is checked by readCanary). */
export function isCanaryIngress(ingress: IngressObject): boolean {
  return parseGoBoolean(ingress.annotations[`${NGINX_PREFIX}canary`] ?? '')?.value === true;
}

export function readCanary(read: AnnotationReader): CanaryRule | undefined {
  if (read('canary', '"true" or "false"', parseGoBoolean)?.value !== true) return undefined;
  const name = (pattern: RegExp) => (w: string) => (pattern.test(w) ? { value: w } : undefined);
  const pattern = read('canary-by-header-pattern', 'a regular expression', (w) => (compiles(w) ? { value: w } : undefined))?.value;
  const weightTotal = read('canary-weight-total', 'a whole number from 1 to 1000000', (w) => parseWhole(w, 1, 1_000_000))?.value ?? 100;
  return {
    header: read('canary-by-header', 'a header name', name(HEADER_NAME))?.value.toLowerCase(),
    headerValue: read('canary-by-header-value', 'visible characters', (w) => (/^[\x21-\x7e]+$/.test(w) ? { value: w } : undefined))?.value,
    headerPattern: pattern,
    cookie: read('canary-by-cookie', 'a cookie name', name(COOKIE_NAME))?.value,
    weight: read('canary-weight', `a whole number from 0 to canary-weight-total (${weightTotal})`, (w) => parseWhole(w, 0, weightTotal))?.value ?? 0,
    weightTotal,
    ...readAffinityBehavior(read),
  };
}

/** affinity-canary-behavior: only `legacy` changes anything (sticky is the default). */
function readAffinityBehavior(read: AnnotationReader): Pick<CanaryRule, 'legacyAffinity'> {
  const behavior = read('affinity-canary-behavior', '"sticky" or "legacy"', (w) => (w === 'sticky' || w === 'legacy' ? { value: w } : undefined))?.value;
  return behavior === 'legacy' ? { legacyAffinity: true } : {};
}

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return source.length <= 1024;
  } catch {
    return false;
  }
}
