// Parses the parameters of an "Authorization: Digest …" header (RFC 7616 §3.4): a comma-separated
// list of name=token or name="quoted string" with backslash escapes. One pass over the header, so
// the cost is linear in its length; anything malformed is undefined (the caller answers 401).

const MAX_HEADER = 8192;
const NAME = /[A-Za-z0-9_-]+/y;
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const SPACE = /[ \t]*/y;

/** Lower-case parameter names to values; undefined when the header is not a well-formed Digest one. */
export function parseDigestAuthorization(header: string | undefined): Map<string, string> | undefined {
  if (header === undefined || header.length > MAX_HEADER) return undefined;
  const scheme = /^digest[ \t]+/i.exec(header);
  if (scheme === null) return undefined;
  const params = new Map<string, string>();
  let at = scheme[0].length;
  while (at < header.length) {
    const name = sticky(NAME, header, at);
    if (name === undefined || header[at + name.length] !== '=') return undefined;
    at += name.length + 1;
    const value = header[at] === '"' ? quoted(header, at) : tokenAt(header, at);
    if (value === undefined || params.has(name.toLowerCase())) return undefined;
    params.set(name.toLowerCase(), value.text);
    at = skipSpace(header, value.end);
    if (at === header.length) break;
    if (header[at] !== ',') return undefined;
    at = skipSpace(header, at + 1);
  }
  return params;
}

function sticky(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

function skipSpace(text: string, at: number): number {
  return at + (sticky(SPACE, text, at)?.length ?? 0);
}

function tokenAt(text: string, at: number): { text: string; end: number } | undefined {
  const token = sticky(TOKEN, text, at);
  return token === undefined ? undefined : { text: token, end: at + token.length };
}

/** A quoted string starting at `at` (the opening quote): its unescaped text and the index after it. */
function quoted(text: string, at: number): { text: string; end: number } | undefined {
  let out = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') return { text: out, end: i + 1 };
    if (c === '\\') {
      i++;
      if (i >= text.length) return undefined;
    }
    out += text[i] as string;
  }
  return undefined;
}
