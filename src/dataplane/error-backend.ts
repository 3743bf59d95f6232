// nginx default-backend on a route (Route.errorBackend): it serves the route while the route's
// Service has no ready endpoints, and answers instead of the upstream for custom-http-errors'
// statuses, asked for "/" with the X-Code headers ingress-nginx sends its default backend. The
// routes derived here are made once per route.
import type { IncomingHttpHeaders } from 'node:http';
import { protocolForAppProtocol } from '../routing/option-values.ts';
import type { ErrorBackend, Route } from '../routing/types.ts';
import type { ForwardResult, Outbound } from './forward.ts';

const fallbackRoutes = new WeakMap<Route, Route>();

/** Statuses Bollard itself answers when forwarding fails, which an error backend may replace too. */
const OWN_FAILURES = new Set([502, 503, 504]);

/** The route itself, or, while its Service has no ready endpoints and its default backend has some, the default backend's. */
export function withDefaultBackend(route: Route): Route {
  const backend = route.errorBackend;
  if (backend === undefined || route.upstream.endpoints.length > 0 || backend.upstream.endpoints.length === 0) return route;
  return errorRoute(route, backend);
}

/** The statuses whose answers the error backend replaces; undefined when none (or it has no endpoints). */
export function interceptedStatuses(route: Route): readonly number[] | undefined {
  const backend = route.errorBackend;
  if (backend === undefined || backend.codes.length === 0 || backend.upstream.endpoints.length === 0) return undefined;
  return backend.codes;
}

/** The status the error backend answers for, if the forwarding's outcome is one it replaces. */
export function replacedStatus(result: ForwardResult, statuses: readonly number[], status: number, clientGone: boolean): number | undefined {
  if (result.intercepted !== undefined) return result.intercepted;
  if (result.started || clientGone || !OWN_FAILURES.has(status)) return undefined;
  return statuses.includes(status) ? status : undefined;
}

/**
 * The request to the error backend for `status`: "/" with the method and headers sent upstream
 * (no body), the client's Host, and X-Code, X-Format, X-Original-URI and the route's X-* headers.
 */
export function errorPageOutbound(sent: Outbound, status: number, client: { readonly url: string; readonly host: string; readonly headers: IncomingHttpHeaders }): Outbound {
  const backend = sent.route.errorBackend;
  const headers: Record<string, string | string[]> = { ...sent.headers, host: client.host, 'x-code': String(status), 'x-original-uri': client.url };
  Reflect.deleteProperty(headers, 'content-length');
  Reflect.deleteProperty(headers, 'transfer-encoding');
  const accept = client.headers.accept;
  if (accept !== undefined && accept !== '') headers['x-format'] = accept;
  else Reflect.deleteProperty(headers, 'x-format');
  for (const [name, value] of backend?.headers ?? []) headers[name] = value;
  const route = backend === undefined ? sent.route : errorRoute(sent.route, backend);
  // Compressed and marked with HSTS as the answer it replaces would have been; the route's other
  // response headers belong to its upstream's answers only.
  const sts = sent.responseHeaders?.['strict-transport-security'];
  return {
    route, method: sent.method, path: '/', headers, body: null,
    ...(sent.compression === undefined ? {} : { compression: sent.compression }), ...(sts === undefined ? {} : { responseHeaders: { 'strict-transport-security': sts } }),
  };
}

function errorRoute(route: Route, backend: ErrorBackend): Route {
  let made = fallbackRoutes.get(route);
  if (made === undefined) {
    const backendProtocol = protocolForAppProtocol(backend.upstream.appProtocol);
    made = { ...route, upstream: backend.upstream, options: { ...route.options, backendProtocol }, canary: undefined, errorBackend: undefined };
    fallbackRoutes.set(route, made);
  }
  return made;
}
