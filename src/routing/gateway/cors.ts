// The HTTPRoute CORS filter → the shared CORS middleware with Gateway API's rules (`gatewayApi`).
// Values are checked as the CRD does, since a malformed one would otherwise reach response headers.
import type { CorsFilter } from '../../snapshot/gateway-model.ts';
import type { Cors } from '../middleware.ts';

const ORIGIN = /^(\*|https?:\/\/((\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+|\*)(:[0-9]{1,5})?)$/i;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const MAX_AGE_LIMIT = 2_147_483_647;

export function compileCors(c: CorsFilter | undefined): Cors | string {
  if (c === undefined) return 'CORS filter without cors';
  const bad = c.allowOrigins.find((o) => !ORIGIN.test(o)) ?? c.allowMethods.find((m) => !METHODS.has(m))
    ?? [...c.allowHeaders, ...c.exposeHeaders].find((h) => !HEADER_NAME.test(h));
  if (bad !== undefined) return `CORS value "${bad}" is not valid`;
  const alone = [c.allowOrigins, c.allowMethods, c.allowHeaders].find((list) => list.includes('*') && list.length > 1);
  if (alone !== undefined) return 'CORS "*" must stand alone in its list';
  if (!Number.isInteger(c.maxAge) || c.maxAge < 1 || c.maxAge > MAX_AGE_LIMIT) return `CORS maxAge ${String(c.maxAge)} is not valid`;
  return {
    kind: 'CORS', allowOrigins: c.allowOrigins.map(normalOrigin), allowMethods: c.allowMethods.join(', '),
    allowHeaders: c.allowHeaders.join(', '), exposeHeaders: c.exposeHeaders.join(', '),
    allowCredentials: c.allowCredentials, maxAgeSeconds: c.maxAge, gatewayApi: true,
  };
}

/** Lower-case, without the scheme's own port: the spec assumes 80 for http and 443 for https. */
function normalOrigin(origin: string): string {
  const lower = origin.toLowerCase();
  if (lower.startsWith('https://') && lower.endsWith(':443')) return lower.slice(0, -4);
  if (lower.startsWith('http://') && lower.endsWith(':80')) return lower.slice(0, -3);
  return lower;
}
