// RequestRedirect: the Location written from its template. Request values are taken as sent
// (path and query still percent-encoded), so nothing decoded reaches the header.
import type { RequestRedirect, TemplatePart } from '../../routing/middleware.ts';
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
  for (const part of parts) out += typeof part === 'string' ? part : valueOf(part.value, req);
  return out;
}

function valueOf(value: Exclude<TemplatePart, string>['value'], req: ChainRequest): string {
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
