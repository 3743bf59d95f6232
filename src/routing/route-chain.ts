// A route's middleware chain: its Ingress's middlewares, plus, with nginx's rewrite-target, the
// rewrite of the route's own path, and the BasicAuth from its auth Secret as last read. Interned per
// key in the engine, so routes alike share one chain
// object and an unchanged chain is the same object in the next table.
import type { Claim, Engine, IngressOptions } from './engine.ts';
import type { Middleware, MiddlewareChain, UrlRewrite } from './middleware.ts';
import { chainOf } from './middleware.ts';
import { basicAuthFilter } from './auth-secrets.ts';

export function chainFor(engine: Engine, options: IngressOptions, claim: Claim): MiddlewareChain | undefined {
  const { rewriteTarget, chains, basicAuth } = options;
  if (options.filters.length === 0 && rewriteTarget === undefined && basicAuth === undefined) return undefined;
  const byPath = rewriteTarget === undefined ? '' : `${claim.pathType} ${claim.path}`;
  if (chains.has(byPath)) return chains.get(byPath);
  const filters = basicAuth === undefined ? options.filters : [...options.filters, basicAuthFilter(engine, basicAuth)];
  const built = chainOf(rewriteTarget === undefined ? filters : withRewrite(filters, claim, rewriteTarget));
  const chain = built === undefined ? undefined : intern(engine, built);
  chains.set(byPath, chain);
  return chain;
}

/** The route's path as a RegexCapture rewrite, merged into the URLRewrite that sets the Host, if any. */
function withRewrite(filters: readonly Middleware[], claim: Claim, replacement: string): Middleware[] {
  const pattern = claim.pathType === 'Exact' ? `${escapeRegex(claim.path)}$` : claim.path;
  const hostname = filters.find((f): f is UrlRewrite => f.kind === 'URLRewrite')?.hostname;
  const rewrite: UrlRewrite = { kind: 'URLRewrite', path: { type: 'RegexCapture', pattern, replacement }, hostname };
  return [...filters.filter((f) => f.kind !== 'URLRewrite'), rewrite];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function intern(engine: Engine, chain: MiddlewareChain): MiddlewareChain {
  const found = engine.chains.get(chain.key);
  if (found !== undefined) return found;
  engine.chains.set(chain.key, chain);
  return chain;
}
