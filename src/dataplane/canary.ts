// nginx canary: which backend a request of a route with a canary goes to, as ingress-nginx decides
// it: the header first (`always`/`never`, or equal to the value, or matching the pattern), then the
// cookie (`always`/`never`), then the weight. The route sent to the canary is made once per route.
import type { IncomingHttpHeaders } from 'node:http';
import type { CanaryRule, Route } from '../routing/types.ts';

const canaryRoutes = new WeakMap<Route, Route>();
const patterns = new WeakMap<CanaryRule, RegExp | undefined>();

/** The route itself, or the same route with the canary's upstream. */
export function chooseBackend(route: Route, headers: IncomingHttpHeaders, random: () => number = Math.random): Route {
  const { canary } = route;
  if (canary === undefined || !wantsCanary(canary.rule, headers, random)) return route;
  let chosen = canaryRoutes.get(route);
  if (chosen === undefined) {
    chosen = { ...route, upstream: canary.upstream };
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

/** The first value of the named cookie in a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
