// Which user agents reject a cookie that says SameSite=None (Chrome 51 to 66 drop it, Safari on
// iOS 12 and macOS 10.14 treat it as Strict): the Chromium project's list of incompatible clients,
// matched as ingress-nginx matches it, so session-cookie-conditional-samesite-none leaves the
// attribute out for the same browsers.

/** Whether a cookie with SameSite=None is safe to send to this user agent (true when none is given). */
export function acceptsSameSiteNone(userAgent: string | undefined): boolean {
  if (userAgent === undefined) return true;
  // "Chrome/4", "Chrome/5", "Chrome/6" anywhere, as ingress-nginx's unanchored match has it.
  if (/Chrome\/[456]/.test(userAgent)) return false;
  if (userAgent.includes('CPU iPhone OS 12') || userAgent.includes('iPad; CPU OS 12')) return false;
  const oldMacSafari = userAgent.includes('Macintosh') && userAgent.includes('Intel Mac OS X 10_14') && userAgent.includes('Safari') && !userAgent.includes('Chrome');
  return !oldMacSafari;
}
