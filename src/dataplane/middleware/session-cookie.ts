// SessionPersistence (src/routing/middleware.ts): reads the session cookie on the way in; forward.ts
// asks the balancer for the endpoint its key leads to and sets the cookie when another endpoint served.
import type { SessionPersistence } from '../../routing/middleware.ts';
import { parseSessionKey, type SessionKey } from '../upstream/session-key.ts';
import type { ChainRequest, ForwardPlan, SessionRequest, Step } from './step.ts';

/** The key in cookie `name` of the Cookie header(s), if it is one of ours. */
export function sessionCookie(header: string | string[] | undefined, name: string): SessionKey | undefined {
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
      const key = parseSessionKey(pair.slice(eq + 1).trim());
      if (key !== undefined) return key;
    }
  }
  return undefined;
}

export function compileSessionPersistence(rule: SessionPersistence): Step {
  return (req: ChainRequest, plan: ForwardPlan) => {
    const session: SessionRequest = { rule, key: sessionCookie(req.headers.cookie, rule.cookieName), https: req.proto === 'https' };
    plan.session = session;
    return undefined;
  };
}

/** The Set-Cookie value holding `value`; `nowMs` (wall clock) dates Expires. */
export function setCookieValue(session: SessionRequest, value: string, nowMs: number): string {
  const { rule } = session;
  const parts = [`${rule.cookieName}=${value}`, `Path=${rule.path ?? '/'}`];
  if (rule.expiresSeconds !== undefined) parts.push(`Expires=${new Date(nowMs + rule.expiresSeconds * 1000).toUTCString()}`);
  if (rule.maxAgeSeconds !== undefined) parts.push(`Max-Age=${rule.maxAgeSeconds}`);
  if (rule.secure || session.https) parts.push('Secure');
  parts.push('HttpOnly');
  if (rule.sameSite !== undefined) parts.push(`SameSite=${rule.sameSite}`);
  return parts.join('; ');
}
