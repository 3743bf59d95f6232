// What Gateway API route conditions may ask of a request (routing/conditions.ts): read only when a
// matched route has conditions, so an Ingress route's request never parses its query for them.
// And the pick among a route's weighted backends.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestFacts } from '../routing/match.ts';
import type { Route } from '../routing/types.ts';

class Facts implements RequestFacts {
  readonly method: string;
  readonly proto: 'http' | 'https';
  private readonly headers: IncomingHttpHeaders;
  private readonly query: string;
  private params: URLSearchParams | undefined;

  constructor(method: string, proto: 'http' | 'https', headers: IncomingHttpHeaders, query: string) {
    this.method = method;
    this.proto = proto;
    this.headers = headers;
    this.query = query;
  }

  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  queryParam(name: string): string | undefined {
    this.params ??= new URLSearchParams(this.query);
    return this.params.get(name) ?? undefined;
  }
}

/** @param query as sent, with its "?" (or "" without one). */
export function requestFacts(method: string, proto: 'http' | 'https', headers: IncomingHttpHeaders, query: string): RequestFacts {
  return new Facts(method, proto, headers, query);
}

/** The route itself, or one of its split's routes chosen by weight. */
export function pickBackend(route: Route, random: () => number = Math.random): Route {
  const split = route.split;
  if (split === undefined) return route;
  const total = split.cumulative[split.cumulative.length - 1] ?? 0;
  const at = random() * total;
  for (let i = 0; i < split.cumulative.length; i++) if (at < (split.cumulative[i] ?? 0)) return split.routes[i] ?? route;
  return split.routes[split.routes.length - 1] ?? route;
}
