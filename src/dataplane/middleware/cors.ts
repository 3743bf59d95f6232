// CORS: when the Origin is allowed, a preflight is answered 204 here and every other response gets
// the CORS headers. Two rule sets over one step (routing/middleware.ts `Cors`):
// - ingress-nginx's: "*" allows any request, Origin or not; any OPTIONS is a preflight; a
//   non-matching origin passes through untouched;
// - Gateway API's: only requests with an Origin are CORS requests; a preflight (OPTIONS with Origin
//   and Access-Control-Request-Method) never reaches the upstream, a refused one gets a bare 204;
//   wildcards echo what the request asked for when credentials are allowed.
// An echoed origin adds Vary: Origin, so shared caches keep one answer per origin.
import type { IncomingHttpHeaders } from 'node:http';
import type { Cors } from '../../routing/middleware.ts';
import type { ForwardPlan, LocalAnswer, Step } from './step.ts';

export function compileCors(filter: Cors): Step {
  return filter.gatewayApi === true ? gatewayCors(filter) : nginxCors(filter);
}

function nginxCors(filter: Cors): Step {
  const any = filter.allowOrigins.includes('*');
  const allows = originTest(filter.allowOrigins, false);
  return (req, plan) => {
    const origin = printable(req.headers.origin);
    if (!any && (origin === undefined || !allows(origin))) return undefined;
    return answer(req.method === 'OPTIONS', filter, nginxHeaders(filter, any ? '*' : origin ?? ''), plan);
  };
}

function gatewayCors(filter: Cors): Step {
  const any = filter.allowOrigins.includes('*');
  const allows = originTest(filter.allowOrigins, true);
  return (req, plan) => {
    const origin = printable(req.headers.origin);
    if (origin === undefined) return undefined;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!any && !allows(withoutDefaultPort(origin))) return preflight ? { status: 204, text: '', headers: {} } : undefined;
    return answer(preflight, filter, gatewayHeaders(filter, origin, req.headers), plan);
  };
}

/** A preflight is answered here; any other request goes on, the headers added to its response. */
function answer(preflight: boolean, filter: Cors, headers: Record<string, string>, plan: ForwardPlan): LocalAnswer | undefined {
  if (preflight) return { status: 204, text: '', headers: { ...headers, 'access-control-max-age': String(filter.maxAgeSeconds) } };
  plan.responseHeaders = { ...plan.responseHeaders, ...headers };
  return undefined;
}

function nginxHeaders(filter: Cors, origin: string): Record<string, string> {
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

/** Gateway API: "*" is answered as "*" without credentials, and as what the request asked for with them. */
function gatewayHeaders(filter: Cors, origin: string, sent: IncomingHttpHeaders): Record<string, string> {
  const credentials = filter.allowCredentials;
  const echoOrigin = credentials || !filter.allowOrigins.includes('*');
  const headers: Record<string, string> = { 'access-control-allow-origin': echoOrigin ? origin : '*' };
  if (echoOrigin) headers.vary = 'Origin';
  if (credentials) headers['access-control-allow-credentials'] = 'true';
  const wildcard = (configured: string, asked: string | undefined): string | undefined =>
    configured === '*' && credentials ? asked : configured === '' ? undefined : configured;
  const methods = wildcard(filter.allowMethods, printable(sent['access-control-request-method']));
  if (methods !== undefined) headers['access-control-allow-methods'] = methods;
  const allowHeaders = wildcard(filter.allowHeaders, printable(sent['access-control-request-headers']));
  if (allowHeaders !== undefined) headers['access-control-allow-headers'] = allowHeaders;
  // "*" cannot expose headers to a request with credentials, and there is nothing to echo.
  const expose = filter.exposeHeaders === '*' && credentials ? '' : filter.exposeHeaders;
  if (expose !== '') headers['access-control-expose-headers'] = expose;
  return headers;
}

/** A request header value safe to echo in a response header: one value, visible ASCII and spaces. */
function printable(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[\x20-\x7e]+$/.test(value) ? value : undefined;
}

/** "https://a.example:443" is "https://a.example": the spec's origins assume the scheme's port. */
function withoutDefaultPort(origin: string): string {
  const lower = origin.toLowerCase();
  if (lower.startsWith('https://') && lower.endsWith(':443')) return lower.slice(0, -4);
  if (lower.startsWith('http://') && lower.endsWith(':80')) return lower.slice(0, -3);
  return lower;
}

/**
 * Whether an origin is one of `allowed` (not "*"): "https://*.example.com:8443" covers exactly one
 * more label (nginx) or any number of them (Gateway API, where a host of "*" alone covers every
 * host); the rest is literal. Case-insensitive.
 */
function originTest(allowed: readonly string[], anyLabels: boolean): (origin: string) => boolean {
  const patterns = allowed.filter((o) => o !== '*').map((o) => {
    const escaped = o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const wildcard = anyLabels
      ? escaped.replace('://\\*\\.', '://[^/:]+\\.').replace(/:\/\/\\\*(?=:|$)/, '://[^/:]+')
      : escaped.replace('://\\*\\.', '://[^./:]+\\.');
    return new RegExp(`^${wildcard}$`, 'i');
  });
  return (origin) => patterns.some((p) => p.test(origin));
}
