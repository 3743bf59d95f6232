// buildRoutingTable: the pure function from a cluster snapshot to a routing table. No I/O, no
// clock, no logging; the output is sorted, so the same snapshot always gives the same table.
//
// Like contour's dag.Builder, the work is an ordered list of small processors over one shared
// BuildState (state.ts), each with one job; bad objects become diagnostics, never exceptions.
// The processors work incrementally on what the previous build left in the BuildCache (cache.ts,
// engine.ts): each Ingress is compiled once per object, and a build revisits only what changed
// since the previous one. Without a cache (or with a new one) everything is new, so a build gives
// the same result either way.
import type { ClusterSnapshot } from '../snapshot/model.ts';
import type { BuildOptions, BuildResult } from './types.ts';
import { buildGatewayApi } from './gateway/build-gateway.ts';
import type { Processor } from './state.ts';
import { BuildCache } from './cache.ts';
import { buildContext, type BuildContext } from './context.ts';
import { newEngine } from './engine.ts';
import { newBuildState } from './state.ts';
import { gatherDiagnostics, sortDiagnostics } from './diagnostics.ts';
import { assembleTable } from './table.ts';
import { ingressClassProcessor } from './processors/ingress-class.ts';
import { rulesProcessor } from './processors/rules.ts';
import { backendProcessor } from './processors/backends.ts';
import { conflictProcessor } from './processors/conflicts.ts';
import { tlsProcessor } from './processors/tls.ts';
import { optionsProcessor } from './processors/options.ts';

/**
 * In order: which Ingresses are ours → their certificates → valid hosts/paths → backends → one
 * winner per route → the winners' options (ssl-redirect's default needs the certificates).
 */
export const processors: readonly Processor[] = [
  ingressClassProcessor,
  tlsProcessor,
  rulesProcessor,
  backendProcessor,
  conflictProcessor,
  optionsProcessor,
];

/**
 * @param cache what the previous build with this cache left (the caller owns it and passes the same
 *   one every time); a cache never changes the result, it only makes a build cost what changed.
 */
export function buildRoutingTable(snapshot: ClusterSnapshot, options: BuildOptions, cache = new BuildCache()): BuildResult {
  const context = buildContext(snapshot, options);
  const held = cache.take();
  const engine = held?.context === context.key ? held : newEngine(context.key);
  const state = newBuildState(snapshot, context, engine, cache.secretReadings);
  for (const processor of processors) processor(state);
  engine.table = assembleTable(state);
  if (state.diagnosticsChanged) engine.diagnostics = gatherDiagnostics(engine.diagnosticSources);
  cache.keep(engine);
  const result: BuildResult = { table: engine.table, diagnostics: engine.diagnostics, served: engine.servedRefs, unsupportedAnnotations: engine.unsupportedAnnotations };
  return withGatewayApi(result, snapshot, options, context, cache);
}

/**
 * Gateway API routes join the table the Ingress build assembled (gateway/build-gateway.ts). The
 * engine keeps the Ingress-only table, so the incremental Ingress build is unaffected; without
 * Gateway API objects this returns the result as it is.
 */
function withGatewayApi(result: BuildResult, snapshot: ClusterSnapshot, options: BuildOptions, context: BuildContext, cache: BuildCache): BuildResult {
  const api = snapshot.gatewayApi?.();
  if (api === undefined || options.gatewayControllerName === undefined) return result;
  const gateway = buildGatewayApi({
    snapshot, api, controllerName: options.gatewayControllerName, defaults: context.defaults, secretReadings: cache.secretReadings, gatewayAddresses: options.gatewayAddresses ?? [],
    givenAddresses: options.givenAddresses ?? new Map(),
    routeCache: cache.gatewayRoutes, mergeMemo: cache.gatewayMerge, routeOutcomes: cache.gatewayOutcomes, contextKey: context.key,
    ...(options.reservedPorts === undefined ? {} : { reservedPorts: options.reservedPorts }),
  }, result.table);
  const diagnostics = gateway.diagnostics.length === 0 ? result.diagnostics : sortDiagnostics([...result.diagnostics, ...gateway.diagnostics]);
  return { ...result, table: gateway.table, diagnostics, gatewayApi: gateway.report };
}
