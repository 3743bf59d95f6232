// The regex list of a host in regex mode (HostRoutes.regex): as ingress-nginx does once any Ingress of
// a host sets use-regex, every Prefix path of the host is a case-insensitive regular expression
// anchored at the start, and the longest path is tried first (nginx takes the first regex location
// that matches, and ingress-nginx writes them longest first). Equal lengths: by path, for determinism.
import type { RegexRoute, Route } from './types.ts';
import { compareStrings } from './compare.ts';
import { regexFor } from './regex-path.ts';

export function regexRoutes(prefix: ReadonlyMap<string, Route>, patterns: ReadonlyMap<Route, RegExp>): readonly RegexRoute[] {
  const out: RegexRoute[] = [];
  for (const route of prefix.values()) {
    // A plain path of another Ingress on the host: a regex as nginx would read it, else taken literally.
    const pattern = patterns.get(route) ?? regexFor(route.path) ?? regexFor(route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    if (pattern !== undefined) out.push({ pattern, route });
  }
  return out.sort((a, b) => b.route.path.length - a.route.path.length || compareStrings(a.route.path, b.route.path));
}
