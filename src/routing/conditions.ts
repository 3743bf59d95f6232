// Request conditions beyond host and path (Gateway API header, query-parameter, method and listener
// matches): the data plane describes the request through RequestFacts, read lazily, so a route
// without conditions never makes it look at headers or parse the query.
import type { RequestConditions, Route, ValueCondition } from './types.ts';

export interface RequestFacts {
  readonly method: string;
  readonly proto: 'http' | 'https';
  /** The value of a (lower-case) header; several lines joined with ", " as Node does. */
  header(name: string): string | undefined;
  /** The first value of a query parameter (names are case-sensitive), decoded. */
  queryParam(name: string): string | undefined;
}

/**
 * The first route of `route`'s chain (itself, then `otherwise`…) whose conditions the request meets;
 * undefined when none does. A route without conditions always matches.
 */
export function pickRoute(route: Route | undefined, request: RequestFacts | undefined): Route | undefined {
  let candidate = route;
  while (candidate?.when !== undefined) {
    if (request !== undefined && meets(candidate.when, request)) return candidate;
    candidate = candidate.otherwise;
  }
  return candidate;
}

export function meets(when: RequestConditions, request: RequestFacts): boolean {
  if (when.proto !== undefined && when.proto !== request.proto) return false;
  if (when.method !== undefined && when.method !== request.method) return false;
  for (const c of when.headers) if (!valueMeets(c, request.header(c.name))) return false;
  for (const c of when.query) if (!valueMeets(c, request.queryParam(c.name))) return false;
  return true;
}

function valueMeets(condition: ValueCondition, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (condition.exact !== undefined) return value === condition.exact;
  return condition.pattern?.test(value) ?? false;
}
