// SessionPersistence (src/routing/middleware.ts): reads the session cookie on the way in; forward.ts
// asks the balancer for the endpoint it names and sets the cookie when another endpoint served.
import type { SessionPersistence } from '../../routing/middleware.ts';
import type { ChainRequest, ForwardPlan, SessionRequest, Step } from './step.ts';

/** The value of cookie `name` in the Cookie header(s), if it looks like one of ours. */
export function sessionCookie(header: string | string[] | undefined, name: string): string | undefined {
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
      const value = pair.slice(eq + 1).trim();
      if (/^[0-9a-f]{1,64}$/.test(value)) return value;
    }
  }
  return undefined;
}

export function compileSessionPersistence(rule: SessionPersistence): Step {
  return (req: ChainRequest, plan: ForwardPlan) => {
    const session: SessionRequest = { rule, wanted: sessionCookie(req.headers.cookie, rule.cookieName), https: req.proto === 'https' };
    plan.session = session;
    return undefined;
  };
}

/** The Set-Cookie value naming `hash`; `nowMs` (wall clock) dates Expires. */
export function setCookieValue(session: SessionRequest, hash: string, nowMs: number): string {
  const { rule } = session;
  const parts = [`${rule.cookieName}=${hash}`, `Path=${rule.path ?? '/'}`];
  if (rule.expiresSeconds !== undefined) parts.push(`Expires=${new Date(nowMs + rule.expiresSeconds * 1000).toUTCString()}`);
  if (rule.maxAgeSeconds !== undefined) parts.push(`Max-Age=${rule.maxAgeSeconds}`);
  if (rule.secure || session.https) parts.push('Secure');
  parts.push('HttpOnly');
  if (rule.sameSite !== undefined) parts.push(`SameSite=${rule.sameSite}`);
  return parts.join('; ');
}
