// nginx default-backend on a route: the winner's fallback upstream (its Ingress's default-backend
// Service, first port) with the statuses it answers instead of the upstream (custom-http-errors)
// and the X-* headers that tell it which route failed, as ingress-nginx sends them.
import type { RouteGroup } from './engine.ts';
import type { IngressOptions } from './engine.ts';
import type { ErrorBackend } from './types.ts';

export function errorBackendOf(group: RouteGroup, options: IngressOptions): ErrorBackend | undefined {
  const upstream = group.fallbackSlot?.resolution?.upstream;
  const winner = group.winner;
  if (upstream === undefined || winner === undefined) return undefined;
  const { service } = winner;
  const port = service.port.number ?? service.port.name ?? '';
  const headers: [string, string][] = [
    ['x-namespace', winner.ingress.namespace], ['x-ingress-name', winner.ingress.name],
    ['x-service-name', service.name], ['x-service-port', String(port)],
  ];
  return { upstream, codes: options.customHttpErrors, headers };
}

/** The upstream is shared per key and the codes per Ingress, so identity settles both. */
export function sameErrorBackend(a: ErrorBackend | undefined, b: ErrorBackend | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.upstream === b.upstream && a.codes === b.codes && a.headers.length === b.headers.length &&
    a.headers.every(([name, value], i) => {
      const other = b.headers[i];
      return other !== undefined && other[0] === name && other[1] === value;
    });
}
