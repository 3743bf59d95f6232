// BackendTLSPolicy subjectAltNames against an upstream's certificate. node:tls gives the peer's
// names as one string ("DNS:a.example, URI:spiffe://x/y"), with a value JSON-quoted when it holds
// a comma, quote or other special character; this reads it back into entries and compares.

/** The certificate's subjectAltName entries as "TYPE:value" (type as node writes it: DNS, URI, IP Address, ...). */
export function parseSubjectAltNames(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    const colon = text.indexOf(':', at);
    if (colon < 0) break;
    const type = text.slice(at, colon);
    const read = text[colon + 1] === '"' ? readQuoted(text, colon + 1) : readPlain(text, colon + 1);
    if (read === undefined) break;
    out.push(`${type}:${read.value}`);
    at = read.end + 2; // past ", "
  }
  return out;
}

function readPlain(text: string, from: number): { value: string; end: number } {
  const comma = text.indexOf(', ', from);
  const end = comma < 0 ? text.length : comma;
  return { value: text.slice(from, end), end };
}

/** A JSON string literal starting at `from`; undefined when it is not one. */
function readQuoted(text: string, from: number): { value: string; end: number } | undefined {
  let i = from + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) return undefined;
  try {
    return { value: JSON.parse(text.slice(from, i + 1)) as string, end: i + 1 };
  } catch {
    return undefined;
  }
}

/**
 * Whether the certificate's entries carry one of `wanted` ("DNS:name" or "URI:uri"): a URI exactly,
 * a name case-insensitively or under a certificate wildcard covering its first label.
 */
export function matchesSubjectAltName(entries: readonly string[], wanted: readonly string[]): boolean {
  const dns = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4).toLowerCase());
  const uris = new Set(entries.filter((e) => e.startsWith('URI:')).map((e) => e.slice(4)));
  return wanted.some((w) => {
    if (w.startsWith('URI:')) return uris.has(w.slice(4));
    if (!w.startsWith('DNS:')) return false;
    const name = w.slice(4).toLowerCase();
    if (dns.includes(name)) return true;
    const dot = name.indexOf('.');
    return !name.startsWith('*.') && dot > 0 && dns.includes(`*${name.slice(dot)}`);
  });
}
