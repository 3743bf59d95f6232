// mirror-target, mirror-request-body and mirror-host → one RequestMirror with a URL, for every
// route of the Ingress (ingress-nginx mirrors all its locations). The URL's scheme, host and port
// are literal; its path and query may use $request_uri, $uri, $args ($query_string), $is_args and
// $host. As nginx's proxy_pass: a URL with variables asks for exactly what they make; one without
// variables asks for its path with the request's query appended. A URL without a path asks for
// the path and query the upstream is asked for (nginx would ask for its internal /_mirror-<uid>).
import type { Middleware, RequestValue, TemplatePart } from '../middleware.ts';
import type { Parsed } from '../option-values.ts';
import type { AnnotationReader } from './reader.ts';
import { parseHostPort, splitTemplate } from './values.ts';

interface MirrorTarget {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  /** The Host header nginx sends by default: the URL's host without its port. */
  readonly hostname: string;
  readonly path: readonly TemplatePart[] | undefined;
}

const VARIABLES: ReadonlyMap<string, RequestValue> = new Map<string, RequestValue>([
  ['request_uri', 'request_uri'], ['uri', 'uri'], ['args', 'args'], ['query_string', 'args'], ['is_args', 'is_args'], ['host', 'host'],
]);
const VARIABLE = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;
/** scheme :// host (a name, an IPv4 address or a bracketed IPv6 one) [: port], then the rest. */
const ORIGIN = /^(https?):\/\/([a-z0-9](?:[a-z0-9.-]{0,252})|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?(.*)$/i;
const UNSAFE = /[\s"<>\\^`{|}#\p{Cc}]/u;

/** The text and variables of a path template; undefined when a variable is not one the mirror knows. */
function templateParts(rest: string): TemplatePart[] | undefined {
  return splitTemplate(rest, VARIABLES, VARIABLE);
}

/** The path template of what follows the origin ({ value: undefined }: none written); undefined when not acceptable. */
function parseRest(rest: string): Parsed<readonly TemplatePart[] | undefined> | undefined {
  if (rest === '') return { value: undefined };
  const parts = rest.startsWith('/') || rest.startsWith('$') ? templateParts(rest) : undefined;
  if (parts === undefined) return undefined;
  const literal = parts.filter((p): p is string => typeof p === 'string').join('');
  if (UNSAFE.test(literal) || literal.includes('$')) return undefined;
  // No variables: nginx appends the request's query to the URL's path.
  if (parts.every((p) => typeof p === 'string')) return { value: [...parts, { value: 'is_args' }, { value: 'args' }] };
  return { value: parts };
}

export function parseMirrorTarget(written: string): Parsed<MirrorTarget> | undefined {
  const origin = ORIGIN.exec(written);
  if (origin === null) return undefined;
  const [, scheme = '', host = '', portText, rest = ''] = origin;
  const tls = scheme.toLowerCase() === 'https';
  const port = portText === undefined ? (tls ? 443 : 80) : Number(portText);
  const path = parseRest(rest);
  if (path === undefined || port < 1 || port > 65_535) return undefined;
  const bare = host.startsWith('[') ? host.slice(1, -1) : host.toLowerCase();
  return { value: { tls, host: bare, port, hostname: host.toLowerCase(), path: path.value } };
}

const parseOnOff = (w: string): Parsed<'on' | 'off'> | undefined => (w === 'on' || w === 'off' ? { value: w } : undefined);

export function readMirror(read: AnnotationReader): Middleware[] {
  const target = read('mirror-target', 'an http(s) URL such as https://shadow.example.com$request_uri (variables in its path: $request_uri, $uri, $args, $is_args, $host)', parseMirrorTarget)?.value;
  const body = read('mirror-request-body', '"on" or "off"', parseOnOff, 'The body is mirrored')?.value ?? 'on';
  const host = read('mirror-host', 'a host name, optionally with a port', parseHostPort, 'The mirror-target\'s host is sent')?.value;
  if (target === undefined) return [];
  const origin = `${target.tls ? 'https' : 'http'}://${target.hostname}:${target.port}`;
  return [{
    kind: 'RequestMirror', upstreamKey: origin, backendProtocol: target.tls ? 'HTTPS' : 'HTTP', ratio: 1,
    url: { host: target.host, port: target.port, path: target.path },
    hostname: host ?? target.hostname,
    ...(body === 'off' ? { body: false } : {}),
  }];
}
