// One HTTPRoute or GRPCRoute → table candidates: for each attached hostname, each rule and each
// match, a Route with its conditions, middlewares, weighted backends and options. A rule that
// cannot be served (bad match, unsupported filter) is left out and reported (PartiallyInvalid).
import { createHash } from 'node:crypto';
import type { ClusterSnapshot, ObjectRef } from '../../snapshot/model.ts';
import type { GatewayApiSnapshot, RouteFilter, RequestRouteObject, RouteObject, BackendRef } from '../../snapshot/gateway-model.ts';
import type { Middleware, MiddlewareChain } from '../middleware.ts';
import { chainOf } from '../middleware.ts';
import { compareRefs } from '../compare.ts';
import type { GatewayObject } from '../../snapshot/gateway-model.ts';
import type { BackendProtocol, RequestConditions, Route, RouteDefaults, RouteOptions, RouteSplit, Upstream, UpstreamTls } from '../types.ts';
import { protocolForAppProtocol } from '../option-values.ts';
import type { Attachment } from './attach.ts';
import { resolveBackends, type BackendProblem, type WeightedUpstream } from './backends.ts';
import { backendTlsFor, type BackendTlsChoice, type BackendTlsContext } from './backend-tls.ts';
import { parseGatewayDuration } from './durations.ts';
import { compileFilters } from './filters.ts';
import { resolveMirrors } from './mirrors.ts';
import { tableHost, type TableHost } from './hostnames.ts';
import { compileGrpcMatch, compileHttpMatch, type CompiledMatch, type MatchResult } from './matches.ts';

export interface GatewayCandidate {
  readonly host: TableHost;
  readonly kind: CompiledMatch['kind'];
  readonly path: string;
  readonly pattern: RegExp | undefined;
  readonly rank: number;
  /** creationTimestamp, kind, namespace, name: the oldest route wins a tie. */
  readonly precedence: string;
  /** Rule and match position within the route. */
  readonly order: number;
  /** Equal keys: equal conditions (then only the first candidate can ever match). */
  readonly whenKey: string;
  readonly route: Route;
  /** Where the route's RequestMirror middlewares send copies: they join the table's upstreams. */
  readonly mirrorUpstreams: readonly Upstream[];
}

/** What one build shares between routes: interned options and chains. */
export interface CompileContext {
  readonly api: GatewayApiSnapshot;
  readonly snapshot: ClusterSnapshot;
  readonly defaults: RouteDefaults;
  readonly options: Map<string, RouteOptions>;
  readonly chains: Map<string, MiddlewareChain>;
  /** BackendTLSPolicies and Gateways' client certificates; absent: every backend is reached as its Service port says. */
  readonly backendTls?: BackendTlsContext;
}

export interface CompiledRoute {
  readonly candidates: readonly GatewayCandidate[];
  readonly backendProblems: readonly BackendProblem[];
  readonly ruleProblems: readonly string[];
}

interface RuleParts {
  readonly matches: readonly MatchResult[];
  readonly filters: readonly RouteFilter[];
  readonly backendRefs: readonly BackendRef[];
  readonly timeoutMs: number | undefined;
}

export function compileRoute(route: RequestRouteObject, attachments: readonly Attachment[], ctx: CompileContext): CompiledRoute {
  const hosts = servedHosts(attachments);
  const listenerPort = ownPortOf(attachments);
  const candidates: GatewayCandidate[] = [];
  const backendProblems: BackendProblem[] = [];
  const ruleProblems: string[] = [];
  const ref: ObjectRef = { namespace: route.namespace, name: route.name };
  const precedence = routePrecedence(route);
  const gateways = gatewaysOf(attachments);
  rulesOf(route).forEach((rule, r) => {
    const resolved = resolveBackends(route, rule.backendRefs, ctx.api, ctx.snapshot);
    const mirrors = resolveMirrors(route, rule.filters, ctx.api, ctx.snapshot);
    backendProblems.push(...resolved.problems, ...mirrors.problems);
    rule.matches.forEach((result, m) => {
      if (!result.ok) {
        ruleProblems.push(`rule ${String(r)} match ${String(m)}: ${result.message}`);
        return;
      }
      const filters = compileFilters(rule.filters, result.match.prefix, mirrors, listenerPort);
      if (!filters.ok) {
        ruleProblems.push(`rule ${String(r)}: ${filters.message}`);
        return;
      }
      const chains = backendChains(ctx, filters.middlewares, resolved.backends, result.match.prefix);
      if (typeof chains === 'string') {
        ruleProblems.push(`rule ${String(r)}: ${chains}`);
        return;
      }
      for (const [host, protos] of hosts) {
        const base = baseRoute(route, ref, result.match, chains, resolved.backends, rule.timeoutMs, ctx, gateways);
        const proto = protos.size === 1 ? [...protos][0] : undefined;
        const when = whenOf(result.match.conditions, proto);
        const whenKey = when === undefined ? '' : conditionsKey(when);
        const withWhen: Route = when === undefined ? base : { ...base, when };
        candidates.push({
          host: tableHost(host), kind: result.match.kind, path: result.match.path, pattern: result.match.pattern, rank: result.match.rank,
          precedence, order: r * 1000 + m, whenKey, route: withWhen, mirrorUpstreams: mirrors.upstreams,
        });
      }
    });
  });
  return { candidates, backendProblems, ruleProblems };
}

/** How routes are ordered when they claim the same thing: the oldest first (creationTimestamp), then kind, namespace, name. */
export function routePrecedence(route: RouteObject): string {
  return `${route.creationTimestamp}\n${route.kind}\n${route.namespace}\n${route.name}`;
}

function rulesOf(route: RequestRouteObject): RuleParts[] {
  if (route.kind === 'GRPCRoute') {
    return route.rules.map((rule) => ({ matches: rule.matches.map(compileGrpcMatch), filters: rule.filters, backendRefs: rule.backendRefs, timeoutMs: undefined }));
  }
  return route.rules.map((rule) => {
    const request = parseGatewayDuration(rule.timeouts.request ?? '');
    const backend = parseGatewayDuration(rule.timeouts.backendRequest ?? '');
    const timeoutMs = request === undefined ? backend : backend === undefined ? request : Math.min(request, backend);
    return { matches: rule.matches.map(compileHttpMatch), filters: rule.filters, backendRefs: rule.backendRefs, timeoutMs };
  });
}

/** The port of the listeners when they are on a port of their own (one table holds one port's). */
function ownPortOf(attachments: readonly Attachment[]): number | undefined {
  const first = attachments[0]?.listener;
  return first?.ownPort === true ? first.listener.port : undefined;
}

/** The Gateways of the attachments, sorted by namespace/name. */
function gatewaysOf(attachments: readonly Attachment[]): GatewayObject[] {
  const unique = [...new Set(attachments.map((a) => a.listener.gateway))];
  return unique.sort(compareRefs);
}

/** Hostname → the protocols of the listeners it is served on. */
function servedHosts(attachments: readonly Attachment[]): Map<string, Set<'http' | 'https'>> {
  const hosts = new Map<string, Set<'http' | 'https'>>();
  for (const a of attachments) {
    if (!a.listener.served) continue;
    for (const h of a.hostnames) {
      let protos = hosts.get(h);
      if (protos === undefined) hosts.set(h, (protos = new Set()));
      protos.add(a.listener.proto);
    }
  }
  return new Map([...hosts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function whenOf(conditions: CompiledMatch['conditions'], proto: 'http' | 'https' | undefined): RequestConditions | undefined {
  if (proto === undefined) return conditions;
  return { ...(conditions ?? { headers: [], query: [] }), proto };
}

export function conditionsKey(when: RequestConditions): string {
  const values = (list: RequestConditions['headers']) => list.map((c) => [c.name, c.exact ?? null, c.pattern?.source ?? null]);
  return JSON.stringify([when.proto ?? null, when.method ?? null, values(when.headers), values(when.query)]);
}

/**
 * The chain of each backend (index for index; one for none when there are no backends): the rule's
 * middlewares, then the backendRef's own, so that its header changes apply last.
 */
function backendChains(
  ctx: CompileContext, rule: readonly Middleware[], backends: readonly WeightedUpstream[], prefix: string | undefined,
): (MiddlewareChain | undefined)[] | string {
  const shared = intern(ctx, chainOf(rule));
  if (backends.length === 0) return [shared];
  const chains: (MiddlewareChain | undefined)[] = [];
  for (const b of backends) {
    if (b.filters.length === 0) {
      chains.push(shared);
      continue;
    }
    const own = compileFilters(b.filters, prefix);
    if (!own.ok) return `backendRef "${b.upstream.service.name}": ${own.message}`;
    chains.push(intern(ctx, chainOf([...rule, ...own.middlewares])));
  }
  return chains;
}

function baseRoute(
  route: RequestRouteObject, ref: ObjectRef, match: CompiledMatch, chains: readonly (MiddlewareChain | undefined)[],
  backends: readonly WeightedUpstream[], timeoutMs: number | undefined, ctx: CompileContext, gateways: readonly GatewayObject[],
): Route {
  const pathType = match.kind === 'Prefix' ? 'Prefix' : 'Exact';
  const variant = (b: WeightedUpstream | undefined, i: number): Route => {
    const chain = chains[i];
    const resolved = b?.upstream ?? { key: `invalid:${ref.namespace}/${ref.name}`, service: ref, endpoints: [] };
    const tls = b === undefined || b.invalid || ctx.backendTls === undefined ? PLAIN
      : backendTlsFor(ctx.backendTls, resolved.service.namespace, resolved.service.name, b.portName, gateways);
    // A policy that cannot be used: no endpoint is ever dialled, every request answers 500.
    const upstream = tls.kind === 'fail' ? { key: `invalid:${resolved.key}`, service: resolved.service, endpoints: [] } : resolved;
    const protocol = protocolOf(route, upstream, tls);
    return {
      ingress: ref, source: route.kind, pathType, path: match.path, upstream,
      options: optionsFor(ctx, protocol, timeoutMs, tls.kind === 'tls' ? tls.tls : undefined),
      ...(chain === undefined ? {} : { middlewares: chain }),
      ...(b === undefined || b.invalid || tls.kind === 'fail' ? { invalidBackend: true } : {}),
    };
  };
  if (backends.length <= 1) return variant(backends[0], 0);
  const routes = backends.map(variant);
  let total = 0;
  const cumulative = backends.map((b) => (total += b.weight));
  const split: RouteSplit = { routes, cumulative };
  return { ...(routes[0] as Route), split };
}

const PLAIN: BackendTlsChoice = { kind: 'plain' };

/** A BackendTLSPolicy makes the backend TLS (gRPC over TLS for a GRPCRoute); else the Service port's appProtocol says. */
function protocolOf(route: RequestRouteObject, upstream: Upstream, tls: BackendTlsChoice): BackendProtocol {
  if (tls.kind === 'tls') return route.kind === 'GRPCRoute' ? 'GRPCS' : 'HTTPS';
  return route.kind === 'GRPCRoute' && upstream.appProtocol === undefined ? 'GRPC' : protocolForAppProtocol(upstream.appProtocol);
}

/**
 * The Gateway-only parts as one short string (a digest of their description), so tablesEqual
 * compares them cheaply and each route costs the workers' table copies few bytes.
 */
export function withKey(route: Route): Route {
  const describe = (r: Route | undefined): unknown => r === undefined ? null : [
    r.ingress.namespace, r.ingress.name, r.source ?? 'Ingress', r.upstream.key, r.middlewares?.key ?? null, r.invalidBackend === true,
    r.when === undefined ? null : conditionsKey(r.when), { ...r.options, upstreamTls: r.options.upstreamTls?.key }, r.gatewayKey ?? null,
  ];
  const split = route.split === undefined ? null : [route.split.cumulative, route.split.routes.map(describe)];
  const description = JSON.stringify([describe({ ...route, gatewayKey: undefined }), split, describe(route.otherwise)]);
  return { ...route, gatewayKey: createHash('sha256').update(description).digest('base64url').slice(0, 24) };
}

export function optionsFor(ctx: CompileContext, backendProtocol: BackendProtocol, timeoutMs: number | undefined, upstreamTls: UpstreamTls | undefined): RouteOptions {
  const { defaults } = ctx;
  const options: RouteOptions = {
    sslRedirect: false, loadBalancing: defaults.loadBalancing, backendProtocol, readTimeoutMs: timeoutMs ?? defaults.readTimeoutMs,
    maxBodyBytes: defaults.maxBodyBytes, tunnelIdleTimeoutMs: defaults.tunnelIdleTimeoutMs,
    connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined,
    ...(upstreamTls === undefined ? {} : { upstreamTls }),
  };
  // The TLS settings by their key only (they hold PEM): the same key is the same object within a build.
  const key = JSON.stringify({ ...options, upstreamTls: upstreamTls?.key });
  const found = ctx.options.get(key);
  if (found !== undefined) return found;
  ctx.options.set(key, options);
  return options;
}

function intern(ctx: CompileContext, chain: MiddlewareChain | undefined): MiddlewareChain | undefined {
  if (chain === undefined) return undefined;
  const found = ctx.chains.get(chain.key);
  if (found !== undefined) return found;
  ctx.chains.set(chain.key, chain);
  return chain;
}
