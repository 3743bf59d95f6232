// A routing table as the change from the one a worker holds: the entries of its large maps
// (hosts, wildcards, upstreams, certificates) that are not the same objects as before, and the
// small parts whole. The builds reuse unchanged parts as the same objects (routing/build.ts,
// gateway/route-cache.ts, gateway/merge-memo.ts), so a one-route change crosses the IPC channel as
// a few entries instead of the whole table (megabytes at 5,000 routes, copied for every worker).
// The data plane only looks entries up by key, so the order of a rebuilt map does not matter.
import type { RoutingTable } from '../routing/types.ts';

export interface MapDelta<V> {
  readonly set: readonly (readonly [string, V])[];
  readonly removed: readonly string[];
}

type Big = 'hosts' | 'wildcards' | 'upstreams' | 'tls';

export interface TableDelta {
  readonly hosts: MapDelta<RoutingTable['hosts'] extends ReadonlyMap<string, infer V> ? V : never>;
  readonly wildcards: MapDelta<RoutingTable['wildcards'] extends ReadonlyMap<string, infer V> ? V : never>;
  readonly upstreams: MapDelta<RoutingTable['upstreams'] extends ReadonlyMap<string, infer V> ? V : never>;
  readonly tlsHosts: MapDelta<RoutingTable['tls']['hosts'] extends ReadonlyMap<string, infer V> ? V : never>;
  readonly tlsWildcards: MapDelta<RoutingTable['tls']['wildcards'] extends ReadonlyMap<string, infer V> ? V : never>;
  readonly tlsAnyHost: RoutingTable['tls']['anyHost'];
  /** Small (the auth-tls hosts without a certificate): whole. */
  readonly tlsClientValidations: RoutingTable['tls']['clientValidations'];
  /** Everything else, whole. */
  readonly rest: Omit<RoutingTable, Big>;
}

function mapDelta<V>(before: ReadonlyMap<string, V>, after: ReadonlyMap<string, V>): MapDelta<V> {
  if (before === after) return { set: [], removed: [] };
  const set: (readonly [string, V])[] = [];
  for (const [key, value] of after) if (before.get(key) !== value) set.push([key, value]);
  const removed: string[] = [];
  for (const key of before.keys()) if (!after.has(key)) removed.push(key);
  return { set, removed };
}

function applyMapDelta<V>(before: ReadonlyMap<string, V>, delta: MapDelta<V>): ReadonlyMap<string, V> {
  if (delta.set.length === 0 && delta.removed.length === 0) return before;
  const out = new Map(before);
  for (const key of delta.removed) out.delete(key);
  for (const [key, value] of delta.set) out.set(key, value);
  return out;
}

/** What turns `before` into `after`; undefined when most of it changed (then send it whole). */
export function tableDelta(before: RoutingTable, after: RoutingTable): TableDelta | undefined {
  const { hosts, wildcards, upstreams, tls, ...rest } = after;
  const delta: TableDelta = {
    hosts: mapDelta(before.hosts, hosts), wildcards: mapDelta(before.wildcards, wildcards), upstreams: mapDelta(before.upstreams, upstreams),
    tlsHosts: mapDelta(before.tls.hosts, tls.hosts), tlsWildcards: mapDelta(before.tls.wildcards, tls.wildcards), tlsAnyHost: tls.anyHost,
    tlsClientValidations: tls.clientValidations, rest,
  };
  const changed = delta.hosts.set.length + delta.wildcards.set.length + delta.upstreams.set.length + delta.tlsHosts.set.length;
  return changed * 2 > hosts.size + wildcards.size + upstreams.size + tls.hosts.size ? undefined : delta;
}

/** The table `delta` was made from, given the one it was made against (as the worker received it). */
export function applyTableDelta(before: RoutingTable, delta: TableDelta): RoutingTable {
  return {
    ...delta.rest,
    hosts: applyMapDelta(before.hosts, delta.hosts),
    wildcards: applyMapDelta(before.wildcards, delta.wildcards),
    upstreams: applyMapDelta(before.upstreams, delta.upstreams),
    tls: {
      hosts: applyMapDelta(before.tls.hosts, delta.tlsHosts), wildcards: applyMapDelta(before.tls.wildcards, delta.tlsWildcards), anyHost: delta.tlsAnyHost,
      ...(delta.tlsClientValidations === undefined ? {} : { clientValidations: delta.tlsClientValidations }),
    },
  };
}
