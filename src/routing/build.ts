// buildRoutingTable: the pure function from a cluster snapshot to a routing table. No I/O, no
// clock, no logging; the output is sorted, so the same snapshot always gives the same table.
//
// Like contour's dag.Builder, the work is an ordered list of small processors over one shared
// BuildState (state.ts), each with one job; bad objects become diagnostics, never exceptions.
import type { ClusterSnapshot } from '../snapshot/model.ts';
import type { BuildOptions, BuildResult } from './types.ts';
import type { Processor } from './state.ts';
import { newBuildState } from './state.ts';
import { sortDiagnostics } from './diagnostics.ts';
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

export function buildRoutingTable(snapshot: ClusterSnapshot, options: BuildOptions): BuildResult {
  const state = newBuildState(snapshot, options);
  for (const processor of processors) processor(state);
  return {
    table: assembleTable(state.tableRoutes, state.tls),
    diagnostics: sortDiagnostics(state.diagnostics),
    served: state.ingresses.map(({ namespace, name }) => ({ namespace, name })),
  };
}
