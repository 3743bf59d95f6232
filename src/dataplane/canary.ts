// nginx canary: which backend a request of a route with a canary goes to, as ingress-nginx decides
// it: the header first (`always`/`never`, or equal to the value, or matching the pattern), then the
// cookie (`always`/`never`), then the weight. The route sent to the canary is made once per route.
import type { IncomingHttpHeaders } from 'node:http';
import type { CanaryRule, Route } from '../routing/types.ts';
import type { ForwardPlan, SessionRequest } from './middleware/step.ts';
import { cookieValue } from './cookies.ts';

const canaryRoutes = new WeakMap<Route, Route>();
const patterns = new WeakMap<CanaryRule, RegExp | undefined>();

/**
 * The route itself, or the same route with the canary's upstream. With a session cookie (the plan's
 * SessionPersistence), as ingress-nginx: a session with the main backend stays there; one the canary
 * served stays with the canary unless the canary says affinity-canary-behavior legacy; only requests
 * without such a session are decided by the canary's rules. The plan's session is fitted to the choice.
 */
export function chooseBackend(route: Route, headers: IncomingHttpHeaders, plan?: ForwardPlan, random: () => number = Math.random): Route {
  const { canary } = route;
  if (canary === undefined) return route;
  const session = plan?.session;
  const legacy = canary.rule.legacyAffinity === true;
  const held = heldBy(session, legacy);
  const toCanary = held === undefined ? wantsCanary(canary.rule, headers, random) : held === 'canary';
  if (plan !== undefined && session !== undefined) plan.session = toCanary && legacy ? undefined : fitted(session, toCanary);
  return toCanary ? canaryRoute(route, canary.upstream) : route;
}

/** Which backend the request's session cookie holds it to, if any. */
function heldBy(session: SessionRequest | undefined, legacy: boolean): 'main' | 'canary' | undefined {
  if (session?.key === undefined) return undefined;
  if (session.keyOfCanary !== true) return 'main';
  return legacy ? undefined : 'canary';
}

/** A key meant for the other backend leads nowhere here: the balancer picks and the cookie is written anew. */
function fitted(session: SessionRequest, toCanary: boolean): SessionRequest {
  const keyFits = (session.keyOfCanary === true) === toCanary;
  return { ...session, key: keyFits ? session.key : undefined, canary: toCanary };
}

function canaryRoute(route: Route, upstream: Route['upstream']): Route {
  let chosen = canaryRoutes.get(route);
  if (chosen === undefined) {
    chosen = { ...route, upstream };
    canaryRoutes.set(route, chosen);
  }
  return chosen;
}

export function wantsCanary(rule: CanaryRule, headers: IncomingHttpHeaders, random: () => number): boolean {
  const byHeader = rule.header === undefined ? undefined : decideByHeader(rule, headers[rule.header]);
  if (byHeader !== undefined) return byHeader;
  const cookie = rule.cookie === undefined ? undefined : cookieValue(headers.cookie, rule.cookie);
  if (cookie === 'always') return true;
  if (cookie === 'never') return false;
  return rule.weight > 0 && Math.floor(random() * rule.weightTotal) < rule.weight;
}

function decideByHeader(rule: CanaryRule, sent: string | string[] | undefined): boolean | undefined {
  const value = Array.isArray(sent) ? sent.join(', ') : sent;
  if (value === undefined) return undefined;
  if (rule.headerValue !== undefined) return value === rule.headerValue ? true : undefined;
  if (rule.headerPattern !== undefined) return patternOf(rule)?.test(value) === true ? true : undefined;
  if (value === 'always') return true;
  return value === 'never' ? false : undefined;
}

function patternOf(rule: CanaryRule): RegExp | undefined {
  if (patterns.has(rule)) return patterns.get(rule);
  let pattern: RegExp | undefined;
  try {
    pattern = new RegExp(rule.headerPattern ?? '');
  } catch {
    pattern = undefined;
  }
  patterns.set(rule, pattern);
  return pattern;
}
