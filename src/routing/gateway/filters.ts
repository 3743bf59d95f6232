// HTTPRoute / GRPCRoute filters → the shared middleware model (../middleware.ts), the same one the
// nginx annotations compile into. Unsupported filters are named, and their rule is not served.
import type { PathModifier, RouteFilter } from '../../snapshot/gateway-model.ts';
import type { HeaderModifier, Middleware, RedirectStatus, TemplatePart, UrlRewrite } from '../middleware.ts';
import { compileCors } from './cors.ts';
import type { RuleMirrors } from './mirrors.ts';

export type CompiledFilters =
  | { readonly ok: true; readonly middlewares: readonly Middleware[] }
  | { readonly ok: false; readonly message: string };

const REDIRECT_CODES: readonly number[] = [301, 302, 303, 307, 308];

/**
 * @param prefix the rule match's PathPrefix, for ReplacePrefixMatch; undefined for other path types.
 * @param mirrors the rule's RequestMirror filters, resolved (mirrors.ts); a mirror whose backend is
 * invalid is left out. Without them a RequestMirror filter is not supported.
 */
/**
 * @param listenerPort the port of the listeners the rule is compiled for when it is not 80 or 443:
 *   a redirect without scheme and port keeps it, as the spec asks.
 */
export function compileFilters(filters: readonly RouteFilter[], prefix: string | undefined, mirrors?: RuleMirrors, listenerPort?: number): CompiledFilters {
  const middlewares: Middleware[] = [];
  for (const f of filters) {
    const compiled = f.type === 'RequestMirror' && mirrors !== undefined ? mirrors.byFilter.get(f) : compileFilter(f, prefix, listenerPort);
    if (typeof compiled === 'string') return { ok: false, message: compiled };
    if (compiled !== undefined) middlewares.push(compiled);
  }
  return { ok: true, middlewares };
}

function compileFilter(f: RouteFilter, prefix: string | undefined, listenerPort: number | undefined): Middleware | string {
  switch (f.type) {
    case 'RequestHeaderModifier': return headers('RequestHeaderModifier', f.requestHeaderModifier);
    case 'ResponseHeaderModifier': return headers('ResponseHeaderModifier', f.responseHeaderModifier);
    case 'RequestRedirect': return redirect(f.requestRedirect, prefix, listenerPort);
    case 'URLRewrite': return rewrite(f.urlRewrite, prefix);
    case 'CORS': return compileCors(f.cors);
    default: return `filter ${f.type} is not supported`;
  }
}

function headers(kind: HeaderModifier['kind'], h: RouteFilter['requestHeaderModifier']): HeaderModifier {
  const set = h?.set ?? [];
  const add = h?.add ?? [];
  return { kind, set, remove: h?.remove ?? [], ...(add.length === 0 ? {} : { add }) };
}

function redirect(r: RouteFilter['requestRedirect'], prefix: string | undefined, listenerPort: number | undefined): Middleware | string {
  if (r === undefined) return 'RequestRedirect filter without requestRedirect';
  if (!REDIRECT_CODES.includes(r.statusCode)) return `redirect status ${String(r.statusCode)} is not supported`;
  const path = redirectPath(r.path, prefix);
  if ('problem' in path) return path.problem;
  return { kind: 'RequestRedirect', statusCode: r.statusCode as RedirectStatus, onlyPath: undefined, location: locationOf(r, path.part, listenerPort) };
}

/** The Location's path part: the request's, the filter's full path, or the request's with its prefix replaced. */
function redirectPath(p: PathModifier | undefined, prefix: string | undefined): { part: TemplatePart } | { problem: string } {
  if (p === undefined) return { part: { value: 'uri' } };
  if (p.type === 'ReplaceFullPath') return { part: p.value };
  if (p.type !== 'ReplacePrefixMatch') return { problem: `path modifier ${p.type} is not supported` };
  if (prefix === undefined) return { problem: 'ReplacePrefixMatch needs a PathPrefix match' };
  return { part: { value: 'uri', replacePrefix: prefix, replacement: p.value } };
}

/**
 * scheme://host[:port]path?query, each part the filter's or the request's. Without a port: the
 * scheme's own when it sets one, else the listener's.
 */
function locationOf(r: NonNullable<RouteFilter['requestRedirect']>, path: TemplatePart, listenerPort: number | undefined): TemplatePart[] {
  const location: TemplatePart[] = [r.scheme ?? { value: 'scheme' }, '://', r.hostname ?? { value: 'host' }];
  const port = r.port ?? (r.scheme === undefined ? listenerPort : undefined);
  if (port !== undefined && !wellKnown(r.scheme, port)) location.push(`:${String(port)}`);
  location.push(path, { value: 'is_args' }, { value: 'args' });
  return location;
}

/** A port the Location leaves out: the scheme's own (with the scheme unset, either of them). */
function wellKnown(scheme: string | undefined, port: number): boolean {
  if (scheme === 'http') return port === 80;
  if (scheme === 'https') return port === 443;
  return port === 80 || port === 443;
}

function rewrite(r: RouteFilter['urlRewrite'], prefix: string | undefined): UrlRewrite | string {
  if (r === undefined) return 'URLRewrite filter without urlRewrite';
  const path = rewritePath(r.path, prefix);
  if (typeof path === 'string') return path;
  return { kind: 'URLRewrite', path, hostname: r.hostname };
}

/**
 * Both path rewrites as a RegexCapture on the path as sent: ReplaceFullPath takes all of it;
 * ReplacePrefixMatch takes the prefix (then "/" or the end) and keeps the rest, with exactly one
 * "/" between replacement and rest ("/" + "/x" gives "/x", not "//x").
 */
function rewritePath(p: PathModifier | undefined, prefix: string | undefined): UrlRewrite['path'] | string {
  if (p === undefined) return undefined;
  if (p.type === 'ReplaceFullPath') return { type: 'RegexCapture', pattern: '.*', replacement: p.value };
  if (p.type !== 'ReplacePrefixMatch') return `path modifier ${p.type} is not supported`;
  if (prefix === undefined) return 'ReplacePrefixMatch needs a PathPrefix match';
  const base = prefix === '/' ? '' : escapeRegex(prefix);
  const replacement = p.value.endsWith('/') ? p.value.slice(0, -1) : p.value;
  return { type: 'RegexCapture', pattern: `${base}(/.*)?$`, replacement: `${replacement}$1` };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
