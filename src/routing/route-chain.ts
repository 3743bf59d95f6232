// A route's middleware chain: its Ingress's middlewares, plus, with nginx's rewrite-target, the
// rewrite of the route's own path, a session cookie's default Path (the route's), the route a rewrite log names, the BasicAuth from its auth Secret and the
// custom-headers from its ConfigMap as last read. Interned per
// key in the engine, so routes alike share one chain
// object and an unchanged chain is the same object in the next table.
import type { Claim, Engine, IngressOptions } from './engine.ts';
import type { ForwardAuth, Middleware, MiddlewareChain, SessionPersistence, UrlRewrite } from './middleware.ts';
import { chainOf, withAnyAccess } from './middleware.ts';
import { basicAuthFilter } from './auth-secrets.ts';
import { customHeadersFilter } from './custom-header-maps.ts';
import { withAuthProxyHeaders } from './auth-proxy-header-maps.ts';

export function chainFor(engine: Engine, options: IngressOptions, claim: Claim, globalAuth?: ForwardAuth): MiddlewareChain | undefined {
  const { rewriteTarget, chains, basicAuth, customHeaders } = options;
  const base = withGlobalAuth(options, globalAuth, claim);
  if (base.length === 0 && rewriteTarget === undefined && basicAuth === undefined && customHeaders === undefined) return undefined;
  const partsByPath = base.some(takesRouteParts);
  const byPath = rewriteTarget === undefined && !partsByPath ? '' : `${claim.pathType} ${claim.path}`;
  if (chains.has(byPath)) return chains.get(byPath);
  const own = partsByPath ? base.map((f) => withRouteParts(f, claim)) : base;
  const joined = [...withProxyHeaders(engine, options, own), ...fromObjects(engine, options)];
  const filters = options.satisfyAny ? withAnyAccess(joined) : joined;
  const built = chainOf(rewriteTarget === undefined ? filters : withRewrite(filters, claim, rewriteTarget));
  const chain = built === undefined ? undefined : intern(engine, built);
  chains.set(byPath, chain);
  return chain;
}

/** ingress-nginx's no-auth-locations default: certificate challenges (cert-manager's solver Ingresses) are never behind the global auth. */
const NO_GLOBAL_AUTH = '/.well-known/acme-challenge';

/** The Ingress's own filters, and the controller's global auth when it applies to the Ingress and route. */
function withGlobalAuth(options: IngressOptions, globalAuth: ForwardAuth | undefined, claim: Claim): readonly Middleware[] {
  const applies = globalAuth !== undefined && options.globalAuth && !claim.path.startsWith(NO_GLOBAL_AUTH);
  return applies ? [...options.filters, globalAuth] : options.filters;
}

/** auth-proxy-set-headers: the ConfigMap's headers on the ForwardAuth, as last read (or a refusal). */
function withProxyHeaders(engine: Engine, options: IngressOptions, filters: readonly Middleware[]): readonly Middleware[] {
  return options.authProxyHeaders === undefined ? filters : withAuthProxyHeaders(engine, options.authProxyHeaders, filters);
}

/** The middlewares made from the Secrets and ConfigMaps the Ingress names, as last read. */
function fromObjects(engine: Engine, { basicAuth, customHeaders }: IngressOptions): Middleware[] {
  const out: Middleware[] = [];
  if (basicAuth !== undefined) out.push(basicAuthFilter(engine, basicAuth));
  const headers = customHeaders === undefined ? undefined : customHeadersFilter(engine, customHeaders);
  if (headers !== undefined) out.push(headers);
  return out;
}

/** The route's path as a RegexCapture rewrite, merged into the URLRewrite that sets the Host, if any. */
function withRewrite(filters: readonly Middleware[], claim: Claim, replacement: string): Middleware[] {
  const pattern = claim.pathType === 'Exact' ? `${escapeRegex(claim.path)}$` : claim.path;
  const own = filters.find((f): f is UrlRewrite => f.kind === 'URLRewrite');
  const rewrite: UrlRewrite = { kind: 'URLRewrite', path: { type: 'RegexCapture', pattern, replacement }, hostname: own?.hostname, ...(own?.log === undefined ? {} : { log: own.log }) };
  return [...filters.filter((f) => f.kind !== 'URLRewrite'), rewrite];
}

/** Whether the filter differs by route (withRouteParts), so chains are kept by path. */
function takesRouteParts(f: Middleware): boolean {
  return (f.kind === 'SessionPersistence' && f.path === undefined) || (f.kind === 'ForwardAuth' && f.cache !== undefined) ||
    (f.kind === 'URLRewrite' && f.log !== undefined);
}

/** What a filter takes from its route: a session cookie's default Path, a forward auth cache's scope, the route a rewrite log names. */
function withRouteParts(filter: Middleware, claim: Claim): Middleware {
  if (filter.kind === 'ForwardAuth' && filter.cache !== undefined) {
    // nginx keys its auth cache by server and location: answers for one route never serve another.
    return { ...filter, cacheScope: `${claim.entry.ref.namespace}/${claim.entry.ref.name} ${claim.pathType} ${claim.path}` };
  }
  if (filter.kind === 'URLRewrite' && filter.log !== undefined) return { ...filter, log: { ...filter.log, route: `${claim.pathType} ${claim.path}` } };
  return withCookiePath(filter, claim);
}

/**
 * ingress-nginx's default cookie Path is the location's: the route's path; for a regex path, its
 * literal start up to the last "/" before the first special character.
 */
function withCookiePath(filter: Middleware, claim: Claim): Middleware {
  if (filter.kind !== 'SessionPersistence' || filter.path !== undefined) return filter;
  const literal = claim.pattern === undefined ? claim.path : (/^[^.*+?^${}()|[\]\\]*/.exec(claim.path)?.[0] ?? '').replace(/[^/]*$/, '');
  const path: SessionPersistence['path'] = literal.startsWith('/') ? literal : '/';
  return { ...filter, path };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `chain` with one more middleware (a host's, such as its client-certificate check), interned. */
export function chainWith(engine: Engine, chain: MiddlewareChain | undefined, filter: Middleware): MiddlewareChain {
  return intern(engine, chainOf([...chain?.filters ?? [], filter]) as MiddlewareChain);
}

function intern(engine: Engine, chain: MiddlewareChain): MiddlewareChain {
  const found = engine.chains.get(chain.key);
  if (found !== undefined) return found;
  engine.chains.set(chain.key, chain);
  return chain;
}
