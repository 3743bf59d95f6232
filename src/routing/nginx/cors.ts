// enable-cors and the cors-* annotations → one CORS middleware, with ingress-nginx's defaults.
import type { Middleware } from '../middleware.ts';
import type { AnnotationReader } from './reader.ts';
import { listOf, parseGoBoolean, parseOrigins, parseWhole } from './values.ts';

export const CORS_DEFAULTS = {
  allowOrigins: ['*'],
  allowMethods: 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
  allowHeaders: 'DNT,X-CustomHeader,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization',
  exposeHeaders: '',
  allowCredentials: true,
  maxAgeSeconds: 1_728_000,
} as const;

const METHODS = listOf(/^[A-Za-z]+$/);
const HEADERS = listOf(/^[A-Za-z0-9_-]+$/);
const EXPOSED = listOf(/^([A-Za-z0-9_-]+|\*)$/);

export function readCors(read: AnnotationReader): Middleware[] {
  if (read('enable-cors', '"true" or "false"', parseGoBoolean)?.value !== true) return [];
  const or = <T>(parsed: { readonly value: T } | undefined, fallback: T): T => (parsed === undefined ? fallback : parsed.value);
  return [{
    kind: 'CORS',
    allowOrigins: or(read('cors-allow-origin', '"*" or origins such as https://a.example.com, https://*.example.com:8443', parseOrigins), CORS_DEFAULTS.allowOrigins),
    allowMethods: or(read('cors-allow-methods', 'comma-separated method names', METHODS), CORS_DEFAULTS.allowMethods),
    allowHeaders: or(read('cors-allow-headers', 'comma-separated header names', HEADERS), CORS_DEFAULTS.allowHeaders),
    exposeHeaders: or(read('cors-expose-headers', 'comma-separated header names or *', EXPOSED), CORS_DEFAULTS.exposeHeaders),
    allowCredentials: or(read('cors-allow-credentials', '"true" or "false"', parseGoBoolean), CORS_DEFAULTS.allowCredentials),
    maxAgeSeconds: or(read('cors-max-age', 'whole seconds', (w) => parseWhole(w, 0, 315_360_000)), CORS_DEFAULTS.maxAgeSeconds),
  }];
}
