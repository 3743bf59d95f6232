// HTTPRoute and GRPCRoute matches → where in the table (Exact, Prefix or Regex path) and the
// conditions beyond the path, with the rank the spec's precedence gives them at one path:
// a method match first, then more header matches, then more query-parameter matches.
import type { GrpcRouteRule, HttpRouteMatch, StringMatch } from '../../snapshot/gateway-model.ts';
import type { RequestConditions, ValueCondition } from '../types.ts';
import { compilePath } from '../path.ts';

export interface CompiledMatch {
  readonly kind: 'Exact' | 'Prefix' | 'Regex';
  /** Normalised for Exact and Prefix; the expression for Regex. */
  readonly path: string;
  readonly pattern: RegExp | undefined;
  /** Without method, headers and query: undefined (the route matches on host and path alone). */
  readonly conditions: Omit<RequestConditions, 'proto'> | undefined;
  readonly rank: number;
  /** PathPrefix value as written, for ReplacePrefixMatch. */
  readonly prefix: string | undefined;
}

export type MatchResult = { readonly ok: true; readonly match: CompiledMatch } | { readonly ok: false; readonly message: string };

export function compileHttpMatch(m: HttpRouteMatch): MatchResult {
  const path = compileHttpPath(m.path.type, m.path.value);
  if (typeof path === 'string') return { ok: false, message: path };
  const values = valueConditions(m.headers, true);
  const query = valueConditions(m.queryParams, false);
  if (typeof values === 'string') return { ok: false, message: values };
  if (typeof query === 'string') return { ok: false, message: query };
  const conditions = conditionsOf(m.method, values, query);
  return { ok: true, match: { ...path, conditions, rank: rankOf(m.method, values.length, query.length) } };
}

type PathPart = Pick<CompiledMatch, 'kind' | 'path' | 'pattern' | 'prefix'>;

function compileHttpPath(type: string, value: string): PathPart | string {
  if (type === 'RegularExpression') {
    const pattern = compileRegex(`^(?:${value})$`);
    return pattern === undefined ? `path "${value}" is not a valid regular expression` : { kind: 'Regex', path: value, pattern, prefix: undefined };
  }
  if (type !== 'Exact' && type !== 'PathPrefix') return `path type ${type} is not supported`;
  const compiled = compilePath(value, type === 'Exact' ? 'Exact' : 'Prefix');
  if (!compiled.ok) return compiled.problem;
  return { kind: compiled.pathType, path: compiled.path, pattern: undefined, prefix: type === 'PathPrefix' ? compiled.path : undefined };
}

/** GRPCRoute: the path is "/<service>/<method>"; a missing part matches any. */
export function compileGrpcMatch(m: GrpcRouteRule['matches'][number]): MatchResult {
  const values = valueConditions(m.headers, true);
  if (typeof values === 'string') return { ok: false, message: values };
  const conditions = conditionsOf(undefined, values, []);
  const path = grpcPath(m.method);
  if (typeof path === 'string') return { ok: false, message: path };
  return { ok: true, match: { ...path, conditions, rank: rankOf(undefined, values.length, 0) } };
}

function grpcPath(method: GrpcRouteRule['matches'][number]['method']): PathPart | string {
  const service = method?.service;
  const name = method?.method;
  if (method?.type === 'RegularExpression') {
    const source = `^/(?:${service ?? '[^/]+'})/(?:${name ?? '[^/]+'})$`;
    const pattern = compileRegex(source);
    return pattern === undefined ? 'method match is not a valid regular expression' : { kind: 'Regex', path: source, pattern, prefix: undefined };
  }
  if (service !== undefined && name !== undefined) return { kind: 'Exact', path: `/${service}/${name}`, pattern: undefined, prefix: undefined };
  if (service !== undefined) return { kind: 'Prefix', path: `/${service}`, pattern: undefined, prefix: undefined };
  if (name !== undefined) {
    const source = `^/[^/]+/${escapeRegex(name)}$`;
    return { kind: 'Regex', path: source, pattern: new RegExp(source), prefix: undefined };
  }
  return { kind: 'Prefix', path: '/', pattern: undefined, prefix: undefined };
}

/** The first match of a name counts; later ones with the same name are ignored (as the spec says). */
function valueConditions(matches: readonly StringMatch[], headers: boolean): ValueCondition[] | string {
  const out: ValueCondition[] = [];
  const seen = new Set<string>();
  for (const m of matches) {
    const name = headers ? m.name.toLowerCase() : m.name;
    if (seen.has(name)) continue;
    seen.add(name);
    if (m.type === 'Exact') out.push({ name, exact: m.value });
    else if (m.type === 'RegularExpression') {
      const pattern = compileRegex(m.value);
      if (pattern === undefined) return `"${m.value}" is not a valid regular expression`;
      out.push({ name, pattern });
    } else return `match type ${m.type} is not supported`;
  }
  return out;
}

function conditionsOf(method: string | undefined, headers: ValueCondition[], query: ValueCondition[]): CompiledMatch['conditions'] {
  if (method === undefined && headers.length === 0 && query.length === 0) return undefined;
  return { ...(method === undefined ? {} : { method }), headers, query };
}

function rankOf(method: string | undefined, headers: number, query: number): number {
  return (method === undefined ? 0 : 1_000_000) + Math.min(headers, 999) * 1000 + Math.min(query, 999);
}

function compileRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
