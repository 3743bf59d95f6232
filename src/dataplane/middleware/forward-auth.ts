// ForwardAuth: the request's headers (not its body) go to the authentication service first, as
// ingress-nginx's auth_request location sends them. 2xx: forwarded, with the service's listed
// response headers set on the upstream request; 401: passed on with the service's challenge, or a
// 302 to the sign-in URL; 403: passed on; anything else, or no answer in time: 500.
import { request } from 'undici';
import type { ForwardAuth } from '../../routing/middleware.ts';
import { renderLocation } from './redirect.ts';
import type { ChainRequest, LocalAnswer, Step } from './step.ts';

/** How long the service may take to answer; its body is read and dropped up to a bound. */
const AUTH_TIMEOUT_MS = 15_000;
const DROPPED_BODY_BYTES = 64 * 1024;
/** Not passed to the service: hop-by-hop fields, the body's framing, and the Host (the service's own). */
const NOT_PASSED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect',
  'content-length', 'host', 'http2-settings',
]);
const FAILED: LocalAnswer = { status: 500, text: 'authentication service failed', headers: {} };
const FORBIDDEN: LocalAnswer = { status: 403, text: 'forbidden', headers: {} };

export function compileForwardAuth(filter: ForwardAuth): Step {
  return async (req, plan) => {
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(renderLocation(filter.url, req), {
        method: filter.method as 'GET', headers: serviceHeaders(req, filter), headersTimeout: AUTH_TIMEOUT_MS, bodyTimeout: AUTH_TIMEOUT_MS,
      });
      await answer.body.dump({ limit: DROPPED_BODY_BYTES });
    } catch {
      return FAILED;
    }
    const status = answer.statusCode;
    if (status >= 200 && status < 300) {
      for (const name of filter.copyHeaders) {
        const value = answer.headers[name];
        if (value !== undefined) plan.setHeaders.push([name, Array.isArray(value) ? value.join(', ') : value]);
      }
      return undefined;
    }
    if (status === 401) return unauthorized(filter, req, answer.headers['www-authenticate']);
    return status === 403 ? FORBIDDEN : FAILED;
  };
}

function unauthorized(filter: ForwardAuth, req: ChainRequest, challenge: string | string[] | undefined): LocalAnswer {
  if (filter.signin === undefined) {
    const headers: Record<string, string> = {};
    if (challenge !== undefined) headers['www-authenticate'] = Array.isArray(challenge) ? challenge.join(', ') : challenge;
    return { status: 401, text: 'authentication required', headers };
  }
  const signin = renderLocation(filter.signin, req);
  const param = filter.signinRedirectParam;
  if (new RegExp(`[?&]${param}=`).test(signin)) return { status: 302, text: 'redirecting', headers: { location: signin } };
  const original = `${req.proto}://${authority(req)}${req.target.upstreamPath}${req.target.query}`;
  const location = `${signin}${signin.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(original)}`;
  return { status: 302, text: 'redirecting', headers: { location } };
}

/** The client's headers, less hop-by-hop fields and the body's framing, plus what ingress-nginx adds. */
function serviceHeaders(req: ChainRequest, filter: ForwardAuth): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || NOT_PASSED.has(name)) continue;
    headers[name] = value;
  }
  const { target } = req;
  const address = req.clientAddress();
  headers['x-original-url'] = `${req.proto}://${authority(req)}${target.upstreamPath}${target.query}`;
  headers['x-original-method'] = req.method;
  headers['x-sent-from'] = 'nginx-ingress-controller';
  headers['x-real-ip'] = address;
  headers['x-forwarded-for'] = address;
  headers['x-forwarded-host'] = authority(req);
  headers['x-forwarded-proto'] = req.proto;
  headers['x-auth-request-redirect'] = filter.requestRedirect ?? target.upstreamPath + target.query;
  return headers;
}

/** Host and port as the client wrote them (nginx's $http_host). */
function authority(req: ChainRequest): string {
  const written = req.headers[':authority'] ?? req.headers.host;
  return typeof written === 'string' && written !== '' ? written : req.host;
}
