// SessionPersistence (src/routing/middleware.ts): reads the session cookie on the way in; forward.ts
// asks the balancer for the endpoint its key leads to and sets the cookie when another endpoint served.
import type { SessionPersistence } from '../../routing/middleware.ts';
import { parseSessionKey, type SessionKey } from '../upstream/session-key.ts';
import { acceptsSameSiteNone } from './same-site-none.ts';
import type { ChainRequest, ForwardPlan, SessionRequest, Step } from './step.ts';

/** Ends the value of a cookie whose session is with the route's canary (ingress-nginx adds its backend's name). */
const CANARY_MARK = '-c';

interface CookieKey { readonly key: SessionKey; readonly canary: boolean }

/** The key in cookie `name` of the Cookie header(s), if it is one of ours, and whether it leads to the canary. */
export function sessionCookie(header: string | string[] | undefined, name: string): CookieKey | undefined {
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
      const value = pair.slice(eq + 1).trim();
      const canary = value.endsWith(CANARY_MARK);
      const key = parseSessionKey(canary ? value.slice(0, -CANARY_MARK.length) : value);
      if (key !== undefined) return { key, canary };
    }
  }
  return undefined;
}

export function compileSessionPersistence(rule: SessionPersistence): Step {
  return (req: ChainRequest, plan: ForwardPlan) => {
    const found = sessionCookie(req.headers.cookie, rule.cookieName);
    const drop = rule.conditionalSameSiteNone === true && rule.sameSite === 'None' && !acceptsSameSiteNone(req.headers['user-agent']);
    const session: SessionRequest = {
      rule, key: found?.key, https: req.proto === 'https', ...(found?.canary === true ? { keyOfCanary: true } : {}), ...(drop ? { dropSameSiteNone: true } : {}),
    };
    plan.session = session;
    return undefined;
  };
}

/** The Set-Cookie value holding `value`; `nowMs` (wall clock) dates Expires. */
export function setCookieValue(session: SessionRequest, value: string, nowMs: number): string {
  const { rule } = session;
  const parts = [`${rule.cookieName}=${value}${session.canary === true ? CANARY_MARK : ''}`, `Path=${rule.path ?? '/'}`];
  if (rule.domain !== undefined) parts.push(`Domain=${rule.domain}`);
  if (rule.expiresSeconds !== undefined) parts.push(`Expires=${new Date(nowMs + rule.expiresSeconds * 1000).toUTCString()}`);
  if (rule.maxAgeSeconds !== undefined) parts.push(`Max-Age=${rule.maxAgeSeconds}`);
  if (rule.secure || session.https) parts.push('Secure');
  parts.push('HttpOnly');
  if (rule.sameSite !== undefined && session.dropSameSiteNone !== true) parts.push(`SameSite=${rule.sameSite}`);
  return parts.join('; ');
}
