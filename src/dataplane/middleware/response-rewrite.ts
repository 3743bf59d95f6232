// LocationRewrite and SetCookieRewrite (src/routing/middleware.ts): nginx's proxy_redirect on the
// Location header and the URL of a Refresh header ("5; url=…"), proxy_cookie_domain and
// proxy_cookie_path on each Set-Cookie's Domain and Path attributes. The steps only note the rules in
// the plan; forward.ts applies them to the upstream's answer before any header the route sets.
import type { OutgoingHttpHeaders } from 'node:http';
import type { LocationRewrite, SetCookieRewrite, TextReplacement } from '../../routing/middleware.ts';
import type { ResponseRewrite, Step } from './step.ts';

/** The rewritten text, or undefined when the rule does not match it. */
type Rewriter = (value: string) => string | undefined;

/** Each rule's rewriter, made on first use (rules live in the table, which the data plane never changes). */
const rewriters = new WeakMap<TextReplacement, Rewriter>();

function rewriterOf(rule: TextReplacement): Rewriter {
  let rewriter = rewriters.get(rule);
  if (rewriter === undefined) {
    rewriter = makeRewriter(rule);
    rewriters.set(rule, rewriter);
  }
  return rewriter;
}

function makeRewriter(rule: TextReplacement): Rewriter {
  const { text, replacement } = rule;
  switch (rule.match) {
    case 'Prefix': return (value) => (value.startsWith(text) ? replacement + value.slice(text.length) : undefined);
    case 'Pattern': {
      const pattern = new RegExp(text, rule.ignoreCase === true ? 'i' : '');
      return (value) => (pattern.test(value) ? replacement : undefined);
    }
    case 'Domain': {
      const wanted = text.replace(/^\./, '').toLowerCase();
      const bare = replacement.replace(/^\./, '');
      return (value) => {
        const dot = value.startsWith('.');
        return (dot ? value.slice(1) : value).toLowerCase() === wanted ? (dot ? `.${bare}` : bare) : undefined;
      };
    }
  }
}

/** A Location value after proxy_redirect. */
export function rewriteLocation(value: string, rule: TextReplacement): string {
  return rewriterOf(rule)(value) ?? value;
}

/** A Refresh value ("5; url=https://…") with its URL after proxy_redirect. */
export function rewriteRefresh(value: string, rule: TextReplacement): string {
  const at = value.toLowerCase().indexOf('url=');
  if (at < 0) return value;
  const url = value.slice(at + 4);
  const rewritten = rewriterOf(rule)(url);
  return rewritten === undefined ? value : value.slice(0, at + 4) + rewritten;
}

/** One Set-Cookie value with its Domain and Path attributes rewritten. */
export function rewriteSetCookie(value: string, domain: TextReplacement | undefined, path: TextReplacement | undefined): string {
  const parts = value.split(';');
  let changed = false;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const rule = name === 'domain' ? domain : name === 'path' ? path : undefined;
    if (rule === undefined) continue;
    const rewritten = rewriterOf(rule)(part.slice(eq + 1).trim());
    if (rewritten === undefined) continue;
    parts[i] = `${part.slice(0, eq + 1)}${rewritten}`;
    changed = true;
  }
  return changed ? parts.join(';') : value;
}

/** Applies the plan's rewrites to the headers the client gets. */
export function applyResponseRewrite(headers: OutgoingHttpHeaders, rewrite: ResponseRewrite): void {
  const { location, cookieDomain, cookiePath } = rewrite;
  if (location !== undefined) {
    if (typeof headers.location === 'string') headers.location = rewriteLocation(headers.location, location);
    if (typeof headers.refresh === 'string') headers.refresh = rewriteRefresh(headers.refresh, location);
  }
  const cookies = headers['set-cookie'];
  if ((cookieDomain === undefined && cookiePath === undefined) || cookies === undefined) return;
  const list = Array.isArray(cookies) ? cookies : [cookies];
  headers['set-cookie'] = list.map((c) => rewriteSetCookie(c, cookieDomain, cookiePath));
}

export function compileLocationRewrite(filter: LocationRewrite): Step {
  return (_req, plan) => {
    plan.responseRewrite = { ...plan.responseRewrite, location: filter.rule };
    return undefined;
  };
}

export function compileSetCookieRewrite(filter: SetCookieRewrite): Step {
  return (_req, plan) => {
    plan.responseRewrite = { ...plan.responseRewrite, cookieDomain: filter.domain, cookiePath: filter.path };
    return undefined;
  };
}
