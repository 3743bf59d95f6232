// Validation of the --global-auth-* flags (options-global-auth.ts) with the parsers of the
// annotations they stand for, so a value the routing build could not use stops the start.
import { z } from 'zod';
import { parseCacheKey, parseDurations } from '../routing/nginx/auth-cache.ts';
import { parseHeaderValue, parseUrlTemplate, splitList } from '../routing/nginx/values.ts';

const bool = z.enum(['true', 'false']).transform((s) => s === 'true');
const emptyOr = (parse: (s: string) => unknown, message: string) => z.string().refine((s) => s === '' || parse(s) !== undefined, message);

export const globalAuthShape = {
  globalAuthUrl: emptyOr(parseUrlTemplate, 'expected an http(s) URL (nginx variables such as $host are filled in)'),
  globalAuthMethod: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  globalAuthSignin: emptyOr(parseUrlTemplate, 'expected an http(s) URL'),
  globalAuthResponseHeaders: z.string().refine((s) => splitList(s).every((n) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(n)), 'expected comma-separated header names'),
  globalAuthRequestRedirect: emptyOr(parseHeaderValue, 'expected visible characters'),
  globalAuthAlwaysSetCookie: bool,
  globalAuthCacheKey: emptyOr(parseCacheKey, 'expected text with nginx variables such as $remote_user$http_authorization'),
  globalAuthCacheDuration: z.string().refine((s) => parseDurations(s) !== undefined, 'expected status codes then a time, such as "200 202 401 5m"'),
};
