// Gateway API candidates into the table the Ingress build assembled: the same hosts, the same
// path maps. At one (host, path) the routes form a chain in the spec's precedence order — more
// specific conditions first (method, then header count, then query count), then the oldest object
// (an Ingress route counts as having no conditions), then rule order. Two routes with the same
// conditions: the first wins, the other is reported; an Ingress loses with a Conflict diagnostic.
// Hosts without Gateway routes keep their HostRoutes object.
import type { Diagnostic, HostRoutes, RegexRoute, Route, RoutingTable, TlsCertificate, Upstream } from '../types.ts';
import { compareStrings } from '../compare.ts';
import { diagnostic } from '../diagnostics.ts';
import type { GatewayCandidate } from './routes.ts';
import { withKey } from './routes.ts';
import type { MergedHost, MergeMemo } from './merge-memo.ts';
import type { Bucket, HostBuckets } from './host-buckets.ts';

export interface MergeResult {
  readonly table: RoutingTable;
  readonly conflicts: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** A host's candidates by path, made only when the host is merged (not when its merge is reused). */
interface PathBuckets {
  readonly exact: Map<string, GatewayCandidate[]>;
  readonly prefix: Map<string, GatewayCandidate[]>;
  readonly regex: Map<string, GatewayCandidate[]>;
}

interface Entry {
  readonly rank: number;
  readonly precedence: string;
  readonly order: number;
  readonly whenKey: string;
  readonly route: Route;
  readonly ingress: boolean;
}

/** Hosts merged in earlier builds (merge-memo.ts), and this table's part of its keys. */
export interface MergeMemoScope {
  readonly memo: MergeMemo;
  readonly scope: string;
}

/** @param ingressPrecedence the precedence key of the Ingress a route comes from (its creationTimestamp first). */
export function mergeGatewayRoutes(
  table: RoutingTable,
  byHost: HostBuckets,
  certificates: ReadonlyMap<string, TlsCertificate>,
  ingressPrecedence: (route: Route) => string,
  memo?: MergeMemoScope,
): MergeResult {
  const buckets = byHost.buckets();
  if (buckets.length === 0 && certificates.size === 0) return { table, conflicts: [], diagnostics: [] };
  const conflicts: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const hosts = new Map<string, HostRoutes>();
  const wildcards = new Map<string, HostRoutes>();
  let anyHost = table.anyHost;
  for (const bucket of buckets) {
    const base = bucket.level === 'exact' ? table.hosts.get(bucket.key) : bucket.level === 'wildcard' ? table.wildcards.get(bucket.key) : table.anyHost;
    const host = mergeHostMemo(bucket, base, ingressPrecedence, memo);
    if (host.conflicts.length > 0) conflicts.push(...host.conflicts);
    if (host.diagnostics.length > 0) diagnostics.push(...host.diagnostics);
    const { merged } = host;
    if (bucket.level === 'exact') hosts.set(bucket.key, merged);
    else if (bucket.level === 'wildcard') wildcards.set(bucket.key, merged);
    else anyHost = merged;
  }
  const deep = [...wildcards.keys()];
  return {
    table: {
      ...table, hosts: withHosts(table.hosts, hosts, memo, 'exact'), wildcards: withHosts(table.wildcards, wildcards, memo, 'wildcard'), anyHost,
      ...(deep.length === 0 ? {} : { deepWildcards: new Set(deep.sort()) }),
      upstreams: withUpstreams(table.upstreams, buckets), tls: withCertificates(table.tls, certificates),
    },
    conflicts, diagnostics,
  };
}

function pathBuckets(all: readonly GatewayCandidate[]): PathBuckets {
  const paths: PathBuckets = { exact: new Map(), prefix: new Map(), regex: new Map() };
  for (const c of all) {
    const map = c.kind === 'Exact' ? paths.exact : c.kind === 'Prefix' ? paths.prefix : paths.regex;
    const list = map.get(c.path);
    if (list === undefined) map.set(c.path, [c]);
    else list.push(c);
  }
  return paths;
}

type Merge = (cands: readonly GatewayCandidate[], ingress: Route | undefined, where: string) => Route | undefined;

/** One host merged, or as merged before when nothing under it changed. */
function mergeHostMemo(bucket: Bucket, base: HostRoutes | undefined, ingressPrecedence: (route: Route) => string, memo: MergeMemoScope | undefined): MergedHost {
  const kept = memo?.memo.lookup(memo.scope, bucket.level, bucket.key, bucket.all, base);
  if (kept !== undefined) return kept;
  const conflicts: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const merge: Merge = (cands, ingress, where) => chainOf(cands, ingress, where, ingressPrecedence, conflicts, diagnostics);
  const host: MergedHost = { candidates: bucket.all, base, merged: mergeHost(bucket, base, merge), conflicts, diagnostics };
  memo?.memo.keep(memo.scope, bucket.level, bucket.key, host);
  return host;
}

function hostName(bucket: Bucket): string {
  if (bucket.level === 'wildcard') return `*.${bucket.key}`;
  return bucket.key === '' ? '(any host)' : bucket.key;
}

function mergePaths(
  into: Map<string, Route>, paths: ReadonlyMap<string, readonly GatewayCandidate[]>, base: ReadonlyMap<string, Route> | undefined, where: string, merge: Merge,
): void {
  for (const [path, cands] of paths) setOrDelete(into, path, merge(cands, base?.get(path), `${where} ${path}`));
}

/** RegularExpression paths, longest expression first. */
function mergePatterns(regex: PathBuckets['regex'], name: string, merge: Merge): RegexRoute[] {
  const patterns: RegexRoute[] = [];
  const sources = [...regex.keys()].sort((a, b) => b.length - a.length || compareStrings(a, b));
  for (const source of sources) {
    const cands = regex.get(source) ?? [];
    const route = merge(cands, undefined, `${name} RegularExpression ${source}`);
    const pattern = cands[0]?.pattern;
    if (route !== undefined && pattern !== undefined) patterns.push({ pattern, route });
  }
  return patterns;
}

function mergeHost(bucket: Bucket, base: HostRoutes | undefined, merge: Merge): HostRoutes {
  const name = hostName(bucket);
  const paths = pathBuckets(bucket.all);
  const exact = new Map(base?.exact);
  const prefix = new Map(base?.prefix);
  mergePaths(exact, paths.exact, base?.exact, `${name} Exact`, merge);
  mergePaths(prefix, paths.prefix, base?.prefix, `${name} Prefix`, merge);
  const patterns = mergePatterns(paths.regex, name, merge);
  return {
    exact: sortedMap(exact), prefix: sortedMap(prefix),
    ...(base?.regex === undefined ? {} : { regex: base.regex }),
    ...(patterns.length === 0 ? {} : { patterns }),
  };
}

function setOrDelete(map: Map<string, Route>, key: string, route: Route | undefined): void {
  if (route === undefined) map.delete(key);
  else map.set(key, route);
}

function chainOf(
  cands: readonly GatewayCandidate[], ingress: Route | undefined, where: string,
  ingressPrecedence: (route: Route) => string, conflicts: string[], diagnostics: Diagnostic[],
): Route | undefined {
  const entries: Entry[] = cands.map((c) => ({ rank: c.rank, precedence: c.precedence, order: c.order, whenKey: c.whenKey, route: c.route, ingress: false }));
  if (ingress !== undefined) entries.push({ rank: 0, precedence: ingressPrecedence(ingress), order: 0, whenKey: '', route: ingress, ingress: true });
  entries.sort((a, b) => b.rank - a.rank || compareStrings(a.precedence, b.precedence) || a.order - b.order);
  const kept = keepReachable(entries, where, conflicts, diagnostics);
  let next: Route | undefined;
  for (let i = kept.length - 1; i >= 0; i--) {
    const e = kept[i] as Entry;
    next = e.ingress ? e.route : withKey(next === undefined ? e.route : { ...e.route, otherwise: next });
  }
  return next;
}

/** Drops (and reports) entries that can never match: same conditions as an earlier one, or after one without conditions. */
function keepReachable(entries: readonly Entry[], where: string, conflicts: string[], diagnostics: Diagnostic[]): Entry[] {
  const kept: Entry[] = [];
  const seen = new Map<string, Entry>();
  let closed: Entry | undefined;
  for (const e of entries) {
    const winner = closed ?? seen.get(e.whenKey);
    if (winner !== undefined) {
      report(e, winner, where, conflicts, diagnostics);
      continue;
    }
    // A route on listeners of one protocol only (rank 0, a protocol condition) takes that protocol from an Ingress behind it.
    const partly = e.ingress ? kept.find((k) => k.rank === 0 && k.whenKey !== '') : undefined;
    if (partly !== undefined) report(e, partly, `${where} (over ${partly.route.when?.proto ?? ''})`, conflicts, diagnostics);
    seen.set(e.whenKey, e);
    kept.push(e);
    if (e.whenKey === '') closed = e;
  }
  return kept;
}

/** Within one route, a shadowed match is the author's business; across objects it is a conflict. */
function report(loser: Entry, winner: Entry, where: string, conflicts: string[], diagnostics: Diagnostic[]): void {
  const name = (e: Entry): string => `${e.route.source ?? 'Ingress'} ${e.route.ingress.namespace}/${e.route.ingress.name}`;
  if (name(loser) === name(winner)) return;
  conflicts.push(`${name(loser)} loses ${where} to ${name(winner)}`);
  if (loser.ingress) diagnostics.push(diagnostic(loser.route.ingress, 'Conflict', `${where} is served by ${name(winner)} (older, or more specific)`));
}

function sortedMap<V>(map: ReadonlyMap<string, V>): Map<string, V> {
  return new Map([...map.entries()].sort(([a], [b]) => compareStrings(a, b)));
}

/**
 * The table's hosts (or wildcards) with the merged ones in place, in key order: with a memo, one
 * ordered pass over the base (kept sorted by the Ingress build) and the merged keys (kept sorted
 * by the memo); without, a sort.
 */
function withHosts(base: ReadonlyMap<string, HostRoutes>, merged: ReadonlyMap<string, HostRoutes>, memo: MergeMemoScope | undefined, level: string): ReadonlyMap<string, HostRoutes> {
  if (merged.size === 0) return base;
  if (memo === undefined) return sortedMap(new Map([...base, ...merged]));
  const keys = memo.memo.orderedKeys(memo.scope, level);
  const out = new Map<string, HostRoutes>();
  let i = 0;
  const take = (key: string): void => {
    const value = merged.get(key);
    if (value !== undefined) out.set(key, value);
    i += 1;
  };
  for (const key of base.keys()) {
    while (i < keys.length && compareStrings(keys[i] as string, key) < 0) take(keys[i] as string);
    if (keys[i] === key) take(key);
    else out.set(key, base.get(key) as HostRoutes);
  }
  while (i < keys.length) take(keys[i] as string);
  return out;
}

function withUpstreams(upstreams: ReadonlyMap<string, Upstream>, buckets: readonly Bucket[]): ReadonlyMap<string, Upstream> {
  const out = new Map(upstreams);
  const add = (r: Route): void => {
    if (r.invalidBackend !== true && !out.has(r.upstream.key)) out.set(r.upstream.key, r.upstream);
  };
  const addAll = (c: GatewayCandidate): void => {
    add(c.route);
    for (const r of c.route.split?.routes ?? []) add(r);
    for (const u of c.mirrorUpstreams) if (!out.has(u.key)) out.set(u.key, u);
  };
  for (const bucket of buckets) for (const c of bucket.all) addAll(c);
  return out.size === upstreams.size ? upstreams : sortedMap(out);
}

/** An Ingress's auth-tls host (or wildcard) without a certificate in the table: ACME serves it. */
function heldForAuthTls(tls: RoutingTable['tls'], wildcard: boolean, key: string): boolean {
  const held = wildcard ? tls.clientValidations?.wildcards : tls.clientValidations?.hosts;
  return held?.has(key) === true;
}

function withCertificates(tls: RoutingTable['tls'], certificates: ReadonlyMap<string, TlsCertificate>): RoutingTable['tls'] {
  if (certificates.size === 0) return tls;
  const hosts = new Map(tls.hosts);
  const wildcards = new Map(tls.wildcards);
  let anyHost = tls.anyHost;
  for (const [name, certificate] of certificates) {
    if (name === '') {
      anyHost ??= certificate;
      continue;
    }
    const wildcard = name.startsWith('*.');
    const target = wildcard ? wildcards : hosts;
    const key = wildcard ? name.slice(2) : name;
    // An Ingress's certificate keeps its name, and so does an Ingress's auth-tls host served by
    // ACME, unless the listener asks for client certificates: then the name's handshakes must ask
    // for one too, or its Gateway routes would be served without.
    if (!target.has(key) && !heldForAuthTls(tls, wildcard, key)) target.set(key, certificate);
    else if (certificate.clientValidation !== undefined) target.set(key, certificate);
  }
  const { clientValidations } = tls;
  return {
    hosts: sortedMap(hosts), wildcards: sortedMap(wildcards), ...(anyHost === undefined ? {} : { anyHost }), ...(clientValidations === undefined ? {} : { clientValidations }),
  };
}
