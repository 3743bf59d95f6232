// Parsers for the values of the nginx.ingress.kubernetes.io/* annotations, as ingress-nginx reads
// them (Go's strconv for booleans and numbers). Each returns { value } or undefined when the value is
// not accepted; none of them throws.
import { isIP } from 'node:net';
import type { Parsed } from '../option-values.ts';
import type { RedirectStatus, RequestValue, TemplatePart } from '../middleware.ts';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool, as ingress-nginx reads "true"/"false" annotations. */
export function parseGoBoolean(written: string): Parsed<boolean> | undefined {
  if (TRUE.has(written)) return { value: true };
  return FALSE.has(written) ? { value: false } : undefined;
}

/** A whole number from `min` to `max`, digits only. */
export function parseWhole(written: string, min: number, max: number): Parsed<number> | undefined {
  if (!/^[0-9]{1,9}$/.test(written)) return undefined;
  const value = Number(written);
  return value >= min && value <= max ? { value } : undefined;
}

/** Whole seconds from 1 to 3600, as milliseconds. */
export function parseSeconds(written: string): Parsed<number> | undefined {
  const seconds = parseWhole(written, 1, 3600);
  return seconds === undefined ? undefined : { value: seconds.value * 1000 };
}

/** A comma-separated list, items trimmed, empty items dropped. */
export function splitList(written: string): string[] {
  return written.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** One address or CIDR ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"). */
export function isCidr(item: string): boolean {
  const [address = '', bits, extra] = item.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** A non-empty comma-separated list of addresses and CIDRs. */
export function parseCidrList(written: string): Parsed<readonly string[]> | undefined {
  const items = splitList(written);
  return items.length > 0 && items.every(isCidr) ? { value: items } : undefined;
}

const REDIRECT_CODES: readonly RedirectStatus[] = [301, 302, 303, 307, 308];

export function parseRedirectCode(written: string): Parsed<RedirectStatus> | undefined {
  const code = REDIRECT_CODES.find((c) => String(c) === written);
  return code === undefined ? undefined : { value: code };
}

const VARIABLES: ReadonlyMap<string, RequestValue> = new Map<string, RequestValue>([
  ['scheme', 'scheme'], ['host', 'host'], ['http_host', 'host'], ['request_uri', 'request_uri'],
  ['uri', 'uri'], ['args', 'args'], ['query_string', 'args'], ['is_args', 'is_args'], ['escaped_request_uri', 'escaped_request_uri'],
]);
const VARIABLE = /\$(?:\{([a-z_]+)\}|([a-z_]+))/g;
const UNSAFE = /[\s"<>\\^`{|}\p{Cc}]/u;

/**
 * Text with nginx variables (`$name` or `${name}`, as `pattern` matches them) as literal parts and
 * request values; undefined when a variable is not one of `variables`.
 */
export function splitTemplate(written: string, variables: ReadonlyMap<string, RequestValue>, pattern: RegExp): TemplatePart[] | undefined {
  const parts: TemplatePart[] = [];
  let at = 0;
  for (const match of written.matchAll(pattern)) {
    const value = variables.get(match[1] ?? match[2] ?? '');
    if (value === undefined) return undefined;
    if (match.index > at) parts.push(written.slice(at, match.index));
    parts.push({ value });
    at = match.index + match[0].length;
  }
  if (at < written.length) parts.push(written.slice(at));
  return parts;
}

/**
 * A redirect target: an absolute http(s) URL or an absolute path, in which the nginx variables
 * $scheme, $host, $http_host, $request_uri, $escaped_request_uri, $uri, $args, $query_string and
 * $is_args are filled in.
 */
export function parseLocation(written: string): Parsed<readonly TemplatePart[]> | undefined {
  const parts = splitTemplate(written, VARIABLES, VARIABLE);
  if (parts === undefined) return undefined;
  const literal = parts.map((p) => (typeof p === 'string' ? p : 'x')).join('');
  if (UNSAFE.test(literal) || literal.includes('$')) return undefined;
  const absolute = /^(https?|x):\/\/[^/]/.test(literal) || (literal.startsWith('/') && !literal.startsWith('//'));
  return absolute ? { value: parts } : undefined;
}

/** An absolute path without spaces, quotes or control characters (app-root). */
export function parseAbsolutePath(written: string): Parsed<string> | undefined {
  return written.startsWith('/') && !written.startsWith('//') && !UNSAFE.test(written) ? { value: written } : undefined;
}

/** A rewrite target: a path (with $1…$9) — never a URL, which nginx would turn into a redirect. */
export function parseRewriteTarget(written: string): Parsed<string> | undefined {
  if (written === '' || UNSAFE.test(written) || /^[a-z][a-z0-9+.-]*:/i.test(written)) return undefined;
  return written.startsWith('/') || written.startsWith('$') ? { value: written } : undefined;
}

/** A header value: visible characters and spaces. */
export function parseHeaderValue(written: string): Parsed<string> | undefined {
  return /^[\x20-\x7e]*$/.test(written) ? { value: written } : undefined;
}

/** A host name with an optional port (upstream-vhost). */
export function parseHostPort(written: string): Parsed<string> | undefined {
  return /^[a-z0-9]([a-z0-9.-]{0,252})(:[0-9]{1,5})?$/i.test(written) ? { value: written } : undefined;
}

const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/i;

/** "*", or a comma-separated list of origins, each "scheme://host[:port]" with an optional "*." label. */
export function parseOrigins(written: string): Parsed<readonly string[]> | undefined {
  const items = splitList(written);
  if (items.includes('*')) return { value: ['*'] };
  return items.length > 0 && items.every((o) => ORIGIN.test(o)) ? { value: items.map((o) => o.toLowerCase()) } : undefined;
}

/** A comma-separated list whose items match `item`, as written (spaces trimmed), joined by ", ". */
export function listOf(item: RegExp): (written: string) => Parsed<string> | undefined {
  return (written) => {
    const items = splitList(written);
    return items.every((i) => item.test(i)) ? { value: items.join(', ') } : undefined;
  };
}

/** An absolute http(s) URL with the variables of parseLocation (auth-url, auth-signin). */
export function parseUrlTemplate(written: string): Parsed<readonly TemplatePart[]> | undefined {
  const parsed = parseLocation(written);
  return parsed !== undefined && /^https?:\/\/[^/]/i.test(written) ? parsed : undefined;
}

/** Header-value text in which the variables of parseLocation are filled in (auth-proxy-set-headers); any other variable makes it invalid. */
export function parseValueTemplate(written: string): Parsed<readonly TemplatePart[]> | undefined {
  if (!/^[\t\x20-\x7e]*$/.test(written)) return undefined;
  const parts = splitTemplate(written, VARIABLES, VARIABLE);
  if (parts === undefined) return undefined;
  return parts.some((p) => typeof p === 'string' && p.includes('$')) ? undefined : { value: parts };
}
