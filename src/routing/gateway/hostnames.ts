// Hostnames a route is served under on a listener: the intersection of the listener's hostname and
// the route's hostnames (Gateway API: "*.example.com" is a suffix match over one or more labels).
export type HostLevel = 'exact' | 'wildcard' | 'any';

export interface TableHost {
  readonly level: HostLevel;
  /** The table key: the host, the suffix after "*.", or "" for any host. */
  readonly key: string;
  /** As a route hostname is written: "a.example.com", "*.example.com" or "". */
  readonly host: string;
}

export function tableHost(host: string): TableHost {
  if (host === '') return { level: 'any', key: '', host };
  return host.startsWith('*.') ? { level: 'wildcard', key: host.slice(2), host } : { level: 'exact', key: host, host };
}

/** Whether `name` (exact or wildcard) falls under the wildcard `*.suffix`. */
export function under(name: string, suffix: string): boolean {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  return bare.endsWith(`.${suffix}`) || (name.startsWith('*.') && bare === suffix);
}

/** One hostname pair's intersection, or undefined when they have none. */
function intersect(listener: string, route: string): string | undefined {
  if (listener === route) return route;
  if (listener.startsWith('*.') && under(route, listener.slice(2))) return route;
  if (route.startsWith('*.') && under(listener, route.slice(2))) return listener;
  return undefined;
}

/**
 * The hostnames to serve: the route's own (or the listener's when the route names none), narrowed
 * to the listener's. Empty means no intersection; [""] means every host.
 */
export function effectiveHostnames(listener: string | undefined, route: readonly string[]): readonly string[] {
  if (route.length === 0) return [listener ?? ''];
  if (listener === undefined) return route;
  const out = new Set<string>();
  for (const name of route) {
    const both = intersect(listener, name);
    if (both !== undefined) out.add(both);
  }
  return [...out].sort();
}
