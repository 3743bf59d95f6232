// URLRewrite: the Host sent upstream, and the path. RegexCapture works like nginx's `rewrite … break`:
// when the pattern matches the path as sent, the whole path becomes the replacement with $1…$9 filled
// in; the client's query is kept (after the replacement's own, when it has one).
import type { UrlRewrite } from '../../routing/middleware.ts';
import type { Step } from './step.ts';

export function compileRewrite(filter: UrlRewrite): Step {
  const { hostname, path } = filter;
  const pattern = path?.type === 'RegexCapture' ? compile(path.pattern) : undefined;
  return (req, plan) => {
    if (hostname !== undefined) plan.hostname = hostname;
    const sent = req.target.upstreamPath;
    if (path?.type === 'RegexCapture' && pattern !== undefined) {
      const match = pattern.exec(sent);
      if (match !== null) plan.path = withQuery(substitute(path.replacement, match), req.target.query);
    } else if (path?.type === 'ReplacePrefixMatch' && sent.toLowerCase().startsWith(path.prefix.toLowerCase())) {
      plan.path = withQuery(path.replacement + sent.slice(path.prefix.length), req.target.query);
    }
    return undefined;
  };
}

function compile(source: string): RegExp | undefined {
  try {
    return new RegExp(`^${source}`, 'i');
  } catch {
    return undefined;
  }
}

/** $1…$9 as captured (an unmatched group is empty). */
function substitute(replacement: string, match: RegExpExecArray): string {
  return replacement.replace(/\$([1-9])/g, (_all, n: string) => match[Number(n)] ?? '');
}

/** The replacement's path with a leading "/", and the query: the replacement's, then the client's. */
function withQuery(rewritten: string, query: string): string {
  const at = rewritten.indexOf('?');
  const path = at < 0 ? rewritten : rewritten.slice(0, at);
  const own = at < 0 ? '' : rewritten.slice(at + 1);
  const absolute = path.startsWith('/') ? path : `/${path}`;
  if (own === '') return absolute + query;
  return query === '' ? `${absolute}?${own}` : `${absolute}?${own}&${query.slice(1)}`;
}
