// Request-target normalisation before matching (docs/configuration.md, "Path normalisation"):
// the path is split from the query, runs of "/" collapse to one, "." and ".." segments are
// resolved (".." never climbs above the root), and %2E/%2e dot segments count as dots. The
// normalised path is also what goes upstream, so a backend never sees a path that matched
// differently here. Returns undefined for a target that is not origin-form.

export interface RequestTarget {
  readonly path: string;
  /** Including the leading "?", or "". */
  readonly query: string;
}

export function normalizeRequestTarget(url: string): RequestTarget | undefined {
  if (!url.startsWith('/')) return undefined;
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (!rawPath.includes('//') && !rawPath.includes('.') && !rawPath.includes('%')) return { path: rawPath, query };
  return { path: resolveSegments(rawPath), query };
}

const dotSegment = (seg: string): '.' | '..' | undefined => {
  const dots = seg.replace(/%2e/gi, '.');
  return dots === '.' || dots === '..' ? dots : undefined;
};

function resolveSegments(rawPath: string): string {
  const out: string[] = [];
  const segments = rawPath.split('/').slice(1);
  for (const seg of segments) {
    const dots = dotSegment(seg);
    if (dots === '..') out.pop();
    else if (dots === undefined && seg !== '') out.push(seg);
  }
  const last = segments[segments.length - 1] ?? '';
  const trailing = last === '' || dotSegment(last) !== undefined;
  return `/${out.join('/')}${trailing && out.length > 0 ? '/' : ''}`;
}
