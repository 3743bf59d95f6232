// URLRewrite: the Host sent upstream, and the path. RegexCapture works like nginx's `rewrite … break`:
// when the pattern matches the path as sent, the whole path becomes the replacement with $1…$9 filled
// in; the client's query is kept (after the replacement's own, when it has one). With nginx's
// enable-rewrite-log, each request the rewrite changes is one "rewrite" log line.
import type { RewriteLog, UrlRewrite } from '../../routing/middleware.ts';
import type { ChainRequest, ForwardPlan, Step } from './step.ts';

export function compileRewrite(filter: UrlRewrite): Step {
  const { hostname, path, log } = filter;
  const pattern = path?.type === 'RegexCapture' ? compile(path.pattern) : undefined;
  const rewrite = (req: ChainRequest, plan: ForwardPlan): undefined => {
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
  if (log === undefined) return rewrite;
  return (req, plan) => {
    rewrite(req, plan);
    logRewrite(log, req, plan);
    return undefined;
  };
}

/** One line when the path or the Host the upstream gets differs from what the client sent. */
function logRewrite(log: RewriteLog, req: ChainRequest, plan: ForwardPlan): void {
  const sent = req.target.upstreamPath + req.target.query;
  const pathChanged = plan.path !== undefined && plan.path !== sent;
  const hostChanged = plan.hostname !== undefined && plan.hostname !== req.host;
  if (!pathChanged && !hostChanged) return;
  req.log?.info('rewrite', {
    ingress: log.ingress, route: log.route, host: req.host, path: sent, rewrittenPath: plan.path ?? sent,
    ...(hostChanged ? { rewrittenHost: plan.hostname } : {}),
  });
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
