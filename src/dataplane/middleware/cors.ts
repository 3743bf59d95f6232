// CORS, as ingress-nginx does it: when the Origin is allowed ("*" allows any request), OPTIONS is
// answered 204 here (the preflight) and every other response gets the CORS headers. An echoed
// origin adds Vary: Origin, so shared caches keep one answer per origin.
import type { Cors } from '../../routing/middleware.ts';
import type { Step } from './step.ts';

export function compileCors(filter: Cors): Step {
  const any = filter.allowOrigins.includes('*');
  const matchers = filter.allowOrigins.map(originPattern);
  return (req, plan) => {
    const sent = req.headers.origin;
    const origin = typeof sent === 'string' ? sent : undefined;
    if (!any && (origin === undefined || !matchers.some((m) => m.test(origin)))) return undefined;
    const headers = corsHeaders(filter, any ? '*' : origin ?? '');
    if (req.method === 'OPTIONS') return { status: 204, text: '', headers: { ...headers, 'access-control-max-age': String(filter.maxAgeSeconds) } };
    plan.responseHeaders = { ...plan.responseHeaders, ...headers };
    return undefined;
  };
}

function corsHeaders(filter: Cors, origin: string): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': filter.allowMethods,
    'access-control-allow-headers': filter.allowHeaders,
  };
  if (origin !== '*') headers.vary = 'Origin';
  if (filter.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  if (filter.exposeHeaders !== '') headers['access-control-expose-headers'] = filter.exposeHeaders;
  return headers;
}

/** "https://*.example.com:8443" covers exactly one more label; the rest is literal. Case-insensitive. */
function originPattern(allowed: string): RegExp {
  const escaped = allowed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('://\\*\\.', '://[^./:]+\\.');
  return new RegExp(`^${escaped}$`, 'i');
}
