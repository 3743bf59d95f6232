// Regex paths, as ingress-nginx writes them for use-regex (and rewrite-target): a Prefix or
// ImplementationSpecific path becomes the case-insensitive regular expression "^<path>" (nginx's
// `location ~* "^<path>"`); Exact paths stay exact. Compiled once, at build time. JavaScript's
// regular expressions stand in for PCRE; a pattern that could take exponential time on a crafted
// path (a quantified group that itself repeats) is refused, since every request to the host runs it.
import type { DiagnosticReason } from './types.ts';

export type CompiledRegexPath =
  | { readonly ok: true; readonly path: string; readonly pattern: RegExp }
  | { readonly ok: false; readonly reason: DiagnosticReason; readonly problem: string };

const BAD_CHARACTERS = /[\p{Cc}\s]/u;
/** "(a+)+", "(a|b*)*", "(x+){2,}": a repeated group holding a repetition. */
const NESTED_REPETITION = /\([^()]*[+*}][^()]*\)[+*{]/;

export function compileRegexPath(written: string | undefined): CompiledRegexPath {
  const path = written === undefined || written === '' ? '/' : written;
  if (!path.startsWith('/')) return invalid(`path "${path}" must start with "/"`);
  if (BAD_CHARACTERS.test(path)) return invalid(`path "${path}" must not contain spaces or control characters`);
  if (NESTED_REPETITION.test(path)) return invalid(`path "${path}" repeats a group that repeats: it could take exponential time to match`);
  const pattern = regexFor(path);
  return pattern === undefined ? invalid(`path "${path}" is not a valid regular expression`) : { ok: true, path, pattern };
}

/** "^" and the path, case-insensitive; undefined when it does not compile. */
export function regexFor(path: string): RegExp | undefined {
  try {
    return new RegExp(`^${path}`, 'i');
  } catch {
    return undefined;
  }
}

function invalid(problem: string): CompiledRegexPath {
  return { ok: false, reason: 'InvalidPath', problem };
}
