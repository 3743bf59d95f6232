// Request-target normalisation before matching (docs/configuration.md, "Path normalisation").
//
// Routing follows nginx: the path is percent-decoded, runs of separators collapse and dot
// segments are resolved before it is matched; a bad escape, %00 or ".." above the root is 400.
// Bollard counts more characters as separators than nginx on Linux does: "/", "\", %2F and %5C,
// because some backend reads each of them as one, and routing must never see fewer segments than
// the backend does. The backend receives the same resolution without the decoding: each kept
// segment and separator exactly as sent, so "%2F" inside an API path (GitLab's project ids)
// arrives intact, while "/public/..%2Fadmin" arrives as "/admin", the path it was routed as.
// Returns undefined for a target that must be answered 400.

export interface RequestTarget {
  /** Decoded and resolved: what routes match and what the access log shows. */
  readonly matchPath: string;
  /** The same resolution, still encoded as the client sent it: what the upstream receives. */
  readonly upstreamPath: string;
  /** Including the leading "?", or "". Passed on unchanged. */
  readonly query: string;
}

export function normalizeRequestTarget(url: string): RequestTarget | undefined {
  if (!url.startsWith('/')) return undefined;
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (!/\/\/|[.%\\#]/.test(rawPath)) return { matchPath: rawPath, upstreamPath: rawPath, query };
  const resolved = resolveSegments(rawPath);
  return resolved && { ...resolved, query };
}

// A separator, or a segment (the text up to the next separator).
const TOKEN = /\/|\\|%2f|%5c|(?:[^/\\%]|%(?!2f|5c))+/giy;
const ESCAPE = /%([0-9a-f]{2})/gi;
const BAD_ESCAPE = /%(?![0-9a-f]{2})|%00/i;

interface Segment { readonly separator: string; readonly raw: string; readonly decoded: string }

function resolveSegments(rawPath: string): Omit<RequestTarget, 'query'> | undefined {
  // A fragment is not part of a request target (RFC 9112 §3.2); no client sends one.
  if (rawPath.includes('#') || BAD_ESCAPE.test(rawPath)) return undefined;
  const out: Segment[] = [];
  let separator = '/';
  let pending = '';
  let trailing = false;
  for (const [token] of rawPath.matchAll(TOKEN)) {
    if (isSeparator(token)) {
      if (pending === '') pending = token;
      trailing = true;
      continue;
    }
    separator = pending;
    pending = '';
    const decoded = decode(token);
    trailing = decoded === '.' || decoded === '..';
    if (decoded === '..' && out.pop() === undefined) return undefined;
    if (!trailing) out.push({ separator, raw: token, decoded });
  }
  return build(out, trailing ? pending || '/' : '');
}

function build(out: readonly Segment[], trailer: string): Omit<RequestTarget, 'query'> {
  if (out.length === 0) return { matchPath: '/', upstreamPath: '/' };
  const matchPath = `/${out.map((s) => s.decoded).join('/')}${trailer === '' ? '' : '/'}`;
  const upstreamPath = `/${out.map((s, i) => (i === 0 ? s.raw : s.separator + s.raw)).join('')}${trailer}`;
  return { matchPath, upstreamPath };
}

const isSeparator = (token: string): boolean => token.length === 1 ? token === '/' || token === '\\' : /^%(?:2f|5c)$/i.test(token);

/** Percent-decodes as bytes, read as UTF-8 (an invalid sequence becomes U+FFFD, never a match). */
function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of segment.matchAll(ESCAPE)) {
    parts.push(Buffer.from(segment.slice(last, m.index)), Buffer.of(Number.parseInt(m[1] ?? '', 16)));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(segment.slice(last)));
  return Buffer.concat(parts).toString('utf8');
}
