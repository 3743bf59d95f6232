// Validation and normalisation of Ingress paths, done once at build time.
//
// Exact paths are kept as written. Prefix paths (ImplementationSpecific compiles to Prefix) lose
// their trailing slash, so "/foo/" and "/foo" are the same prefix; the root stays "/". A request path
// from the data plane is normalised already, so a route path that a normalised path can never equal
// ("//", "/./", "/../", a query or fragment) is reported instead of being silently dead. Request
// paths are matched percent-decoded, with "\" as a separator, so a route path holding "%" or "\"
// could never match either: it is written decoded ("/café", not "/caf%C3%A9").
import type { DiagnosticReason, MatchType } from './types.ts';

export type CompiledPath =
  | { readonly ok: true; readonly pathType: MatchType; readonly path: string }
  | { readonly ok: false; readonly reason: DiagnosticReason; readonly problem: string };

const PATH_TYPES: Readonly<Record<string, MatchType>> = {
  Exact: 'Exact',
  Prefix: 'Prefix',
  ImplementationSpecific: 'Prefix',
};

const BAD_SEQUENCES = ['//', '/./', '/../'];
const BAD_SUFFIXES = ['/.', '/..'];
const BAD_CHARACTERS = /[\p{Cc}\s?#]/u;
const ENCODED = /[%\\]/;

export function compilePath(written: string | undefined, pathType: string): CompiledPath {
  const matchType = Object.hasOwn(PATH_TYPES, pathType) ? PATH_TYPES[pathType] : undefined;
  if (matchType === undefined) {
    const shown = pathType === '' ? 'pathType is missing' : `pathType "${pathType}" is not supported`;
    return { ok: false, reason: 'InvalidPathType', problem: `${shown}; use Exact, Prefix or ImplementationSpecific` };
  }
  if (written === undefined || written === '') {
    return matchType === 'Prefix'
      ? { ok: true, pathType: matchType, path: '/' }
      : invalid('an Exact path must not be empty');
  }
  const problem = pathProblem(written);
  if (problem !== undefined) return invalid(problem);
  return { ok: true, pathType: matchType, path: matchType === 'Prefix' ? trimTrailingSlash(written) : written };
}

function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `path "${path}" must be absolute (start with "/")`;
  const sequence = BAD_SEQUENCES.find((s) => path.includes(s)) ?? BAD_SUFFIXES.find((s) => path.endsWith(s));
  if (sequence !== undefined) return `path "${path}" must not contain "${sequence}"`;
  if (BAD_CHARACTERS.test(path)) return `path "${path}" must not contain spaces, control characters, "?" or "#"`;
  if (ENCODED.test(path)) return `path "${path}" must not contain "%" or "\\": write it decoded, with "/" as the separator`;
  return undefined;
}

/** "/foo/" → "/foo"; "/" stays "/". */
function trimTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function invalid(problem: string): CompiledPath {
  return { ok: false, reason: 'InvalidPath', problem };
}
