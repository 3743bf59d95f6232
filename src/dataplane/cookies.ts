// Reading one cookie from a request's Cookie header(s), for the middlewares and the canary choice.

/**
 * The first value of the cookie `name` in the Cookie header(s); undefined when none carries it.
 * @param anyCase match the name in any case, as nginx's `$cookie_<name>` does (the cookie names
 *   ingress-nginx annotations set, such as canary-by-cookie, are matched exactly).
 */
export function cookieValue(header: string | readonly string[] | undefined, name: string, anyCase = false): string | undefined {
  if (header === undefined) return undefined;
  const wanted = anyCase ? name.toLowerCase() : name;
  for (const line of typeof header === 'string' ? [header] : header) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const found = pair.slice(0, eq).trim();
      if ((anyCase ? found.toLowerCase() : found) === wanted) return pair.slice(eq + 1).trim();
    }
  }
  return undefined;
}
