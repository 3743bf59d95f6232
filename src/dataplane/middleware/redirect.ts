// RequestRedirect: the Location written from its template. Request values are taken as sent
// (path and query still percent-encoded), so nothing decoded reaches the header.
import type { PrefixReplacedPath, RequestRedirect, TemplatePart } from '../../routing/middleware.ts';
import type { ChainRequest, Step } from './step.ts';

export function compileRedirect(filter: RequestRedirect): Step {
  const { onlyPath, statusCode, location } = filter;
  return (req) => {
    if (onlyPath !== undefined && req.target.matchPath !== onlyPath) return undefined;
    return { status: statusCode, text: 'redirecting', headers: { location: renderLocation(location, req) } };
  };
}

export function renderLocation(parts: readonly TemplatePart[], req: ChainRequest): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if ('replacePrefix' in part) out += replacePrefix(req.target.upstreamPath, part);
    else out += valueOf(part.value, req);
  }
  return out;
}

/** "/old/x" with prefix "/old" and replacement "/new" → "/new/x"; "/" + "/x" → "/x", never "//x". */
export function replacePrefix(path: string, part: PrefixReplacedPath): string {
  const { replacePrefix: prefix, replacement } = part;
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const atBoundary = path.startsWith(base) && (path.length === base.length || path[base.length] === '/');
  if (!atBoundary) return path;
  const rest = path.slice(base.length);
  const head = replacement.endsWith('/') ? replacement.slice(0, -1) : replacement;
  const joined = head + rest;
  return joined === '' ? '/' : joined;
}

function valueOf(value: Exclude<TemplatePart, string | PrefixReplacedPath>['value'] | 'uri', req: ChainRequest): string {
  const { target } = req;
  switch (value) {
    case 'scheme': return req.proto;
    case 'host': return req.host;
    case 'request_uri': return target.upstreamPath + target.query;
    case 'escaped_request_uri': return encodeURIComponent(target.upstreamPath + target.query);
    case 'uri': return target.upstreamPath;
    case 'args': return target.query.slice(1);
    case 'is_args': return target.query === '' ? '' : '?';
  }
}
