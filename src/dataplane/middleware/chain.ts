// Runs a route's middleware chain (src/routing/middleware.ts). Each chain object is compiled once,
// on first use, into steps (kept while the table holding it lives); a request through a route
// without middlewares never gets here. The outcome is synchronous unless a step has to wait
// (authentication): only then does the request wait for a promise.
import type { AnyOf, BasicAuth, DigestAuth, ForwardAuth, HeaderModifier, Middleware, MiddlewareChain, RequestMirror } from '../../routing/middleware.ts';
import type { RequestTarget } from '../request-path.ts';
import { compileAnyOf } from './any-of.ts';
import { compileBasicAuth } from './basic-auth.ts';
import { compileClientCertificateAuth } from './client-certificate-auth.ts';
import { compileCors } from './cors.ts';
import { compileDigestAuth } from './digest-auth.ts';
import { compileForwardAuth } from './forward-auth.ts';
import { compileIpAccess } from './ip-access.ts';
import { compileRedirect } from './redirect.ts';
import { compileRewrite } from './rewrite.ts';
import { compileSessionPersistence } from './session-cookie.ts';
import { compileRateLimit } from './rate-limit.ts';
import { compileGlobalRateLimit } from './global-rate-limit.ts';
import { compileConsistentHash } from './consistent-hash.ts';
import { compileLocationRewrite, compileSetCookieRewrite } from './response-rewrite.ts';
import { renderLocation } from './redirect.ts';
import type { ChainRequest, ForwardPlan, LocalAnswer, Step } from './step.ts';

export type { ChainRequest, ForwardPlan, LocalAnswer, SessionRequest } from './step.ts';

const compiled = new WeakMap<MiddlewareChain, readonly Step[]>();

export type ChainOutcome = LocalAnswer | ForwardPlan;

/** A local answer, or the plan for forwarding; a promise of one when a step had to wait. */
export function runChain(chain: MiddlewareChain, req: ChainRequest): ChainOutcome | Promise<ChainOutcome> {
  let steps = compiled.get(chain);
  if (steps === undefined) {
    steps = chain.filters.map(compileStep);
    compiled.set(chain, steps);
  }
  const plan: ForwardPlan = {
    path: undefined, hostname: undefined, setHeaders: [], removeHeaders: [], responseHeaders: undefined, removeResponseHeaders: undefined,
  };
  return runFrom(steps, 0, req, plan);
}

function runFrom(steps: readonly Step[], first: number, req: ChainRequest, plan: ForwardPlan): ChainOutcome | Promise<ChainOutcome> {
  for (let i = first; i < steps.length; i++) {
    const answer = (steps[i] as Step)(req, plan);
    if (answer instanceof Promise) return answer.then((waited) => waited ?? runFrom(steps, i + 1, req, plan));
    if (answer !== undefined) return answer;
  }
  return plan;
}

/** Calls `then` with the outcome: at once when it is there, else when the promise settles. */
export function whenSettled<T>(outcome: T | Promise<T>, then: (settled: T) => void, failed: (err: unknown) => void): void {
  if (outcome instanceof Promise) outcome.then(then).catch(failed);
  else then(outcome);
}

export function isLocalAnswer(outcome: ChainOutcome): outcome is LocalAnswer {
  return 'status' in outcome;
}

const ACCESS = new Set<Middleware['kind']>(['BasicAuth', 'DigestAuth', 'ForwardAuth', 'AnyOf']);
const isAccess = (filter: Middleware): filter is BasicAuth | DigestAuth | ForwardAuth | AnyOf => ACCESS.has(filter.kind);

function compileStep(filter: Middleware): Step {
  if (isAccess(filter)) return compileAccess(filter);
  switch (filter.kind) {
    case 'Refuse': return () => ({ status: filter.status, text: 'refused: the route is misconfigured', headers: {} });
    case 'ClientCertificateAuth': return compileClientCertificateAuth(filter);
    case 'IPAccess': return compileIpAccess(filter);
    case 'RequestRedirect': return compileRedirect(filter);
    case 'CORS': return compileCors(filter);
    case 'URLRewrite': return compileRewrite(filter);
    case 'RateLimit': return compileRateLimit(filter);
    case 'GlobalRateLimit': return compileGlobalRateLimit(filter);
    case 'SessionPersistence': return compileSessionPersistence(filter);
    // The rest only add to the plan (a default, for the complexity limit).
    default: return compilePlanChange(filter);
  }
}

/** Authentication, and nginx satisfy any over it and the address checks. */
function compileAccess(filter: BasicAuth | DigestAuth | ForwardAuth | AnyOf): Step {
  switch (filter.kind) {
    case 'BasicAuth': return compileBasicAuth(filter);
    case 'DigestAuth': return compileDigestAuth(filter);
    case 'ForwardAuth': return compileForwardAuth(filter);
    case 'AnyOf': return compileAnyOf(filter, compileStep);
  }
}

type PlanChange = Exclude<Middleware, { kind: 'Refuse' | 'ClientCertificateAuth' | 'IPAccess' | 'RequestRedirect' | 'CORS' | 'BasicAuth' | 'DigestAuth' | 'ForwardAuth' | 'AnyOf' | 'URLRewrite' | 'RateLimit' | 'GlobalRateLimit' | 'SessionPersistence' }>;

function compilePlanChange(filter: PlanChange): Step {
  switch (filter.kind) {
    case 'ResponseRateLimit': return (_req, plan) => {
      plan.responseRate = filter;
      return undefined;
    };
    case 'RequestMirror': return compileMirror(filter);
    case 'ConsistentHash': return compileConsistentHash(filter);
    case 'LocationRewrite': return compileLocationRewrite(filter);
    case 'SetCookieRewrite': return compileSetCookieRewrite(filter);
    default: return compileHeaderModifier(filter);
  }
}

/** A mirror to a URL gets its path for this request now, while the request's values are at hand. */
function compileMirror(filter: RequestMirror): Step {
  const template = filter.url?.path;
  return (req, plan) => {
    (plan.mirrors ??= []).push({ rule: filter, path: template === undefined ? undefined : renderLocation(template, req) });
    return undefined;
  };
}

function compileHeaderModifier(filter: HeaderModifier): Step {
  if (filter.kind === 'RequestHeaderModifier') {
    return (req, plan) => {
      plan.setHeaders.push(...filter.set.map(([n, v]): [string, string] => [n, v]));
      if (filter.add !== undefined) plan.setHeaders.push(...filter.add.map(([n, v]) => appended(req.headers[n], n, v)));
      plan.removeHeaders.push(...filter.remove);
      return undefined;
    };
  }
  return (_req, plan) => {
    if (filter.set.length > 0) plan.responseHeaders = { ...plan.responseHeaders, ...Object.fromEntries(filter.set) };
    if (filter.add !== undefined) plan.appendResponseHeaders = [...plan.appendResponseHeaders ?? [], ...filter.add];
    if (filter.remove.length > 0) plan.removeResponseHeaders = [...plan.removeResponseHeaders ?? [], ...filter.remove];
    return undefined;
  };
}

/** Gateway API `add`: the client's value, then the added one, comma-separated. */
function appended(sent: string | string[] | undefined, name: string, value: string): [string, string] {
  if (sent === undefined) return [name, value];
  return [name, `${Array.isArray(sent) ? sent.join(',') : sent},${value}`];
}

/** Applies the plan (if any) to the upstream request headers; returns the path and query to ask for. */
export function applyPlan(headers: Record<string, string | string[]>, plan: ForwardPlan | undefined, target: RequestTarget): string {
  const sent = target.upstreamPath + target.query;
  if (plan === undefined) return sent;
  if (plan.hostname !== undefined) headers.host = plan.hostname;
  for (const name of plan.removeHeaders) Reflect.deleteProperty(headers, name);
  for (const [name, value] of plan.setHeaders) headers[name] = value;
  return plan.path ?? sent;
}
