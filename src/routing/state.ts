// The state the processors (processors/*.ts) share while one table is built: the engine they update
// (engine.ts: what the previous builds left) and what changed so far in this build. Each processor
// reads what the ones before it wrote and writes its own part; only build.ts creates a BuildState.
import type { ClusterSnapshot, SecretObject } from '../snapshot/model.ts';
import type { BuildContext } from './context.ts';
import type { Engine, HostState, IngressEntry, RouteGroup } from './engine.ts';
import type { Diagnostic, TlsTable } from './types.ts';
import type { TlsSecretResult } from './tls-secret.ts';

export type {
  Claim, HostLevel, IngressEntry, RouteCandidate, RouteGroup, UpstreamResolution,
} from './engine.ts';

export interface BuildState {
  readonly snapshot: ClusterSnapshot;
  readonly context: BuildContext;
  readonly engine: Engine;
  /** TLS Secrets as read, by object (BuildCache.secretReadings). */
  readonly secretReadings: WeakMap<SecretObject, TlsSecretResult>;
  /** Ingresses of Bollard's class new to the engine, and those it no longer serves (ingress-class processor). */
  added: readonly IngressEntry[];
  removed: readonly IngressEntry[];
  /** This build's number (the marks that keep each object once in the lists below). */
  readonly build: number;
  /** Route groups whose claims changed: winner and conflicts are settled again (conflict processor). */
  readonly reclaimed: RouteGroup[];
  /** Route groups whose Route may have changed (options processor). */
  readonly touched: RouteGroup[];
  /** Hosts whose certificate may have come or gone (TLS processor): their ssl-redirect default. */
  readonly coverage: HostState[];
  /** Hosts whose routes may have changed (table assembly). */
  readonly dirtyHosts: HostState[];
  /** Upstream keys whose presence in, or value for, RoutingTable.upstreams may have changed. */
  readonly upstreamChanges: Set<string>;
  /** Certificates by host from the served Ingresses' spec.tls (TLS processor). */
  tls: TlsTable;
  /** Whether some diagnostic source changed, so the sorted list must be gathered again. */
  diagnosticsChanged: boolean;
}

/** One step of a build. Processors run in a fixed order (build.ts) and never throw on bad input. */
export type Processor = (state: BuildState) => void;

export function newBuildState(
  snapshot: ClusterSnapshot,
  context: BuildContext,
  engine: Engine,
  secretReadings: WeakMap<SecretObject, TlsSecretResult>,
): BuildState {
  return {
    snapshot,
    context,
    engine,
    secretReadings,
    added: [],
    removed: [],
    build: ++engine.builds,
    reclaimed: [],
    touched: [],
    coverage: [],
    dirtyHosts: [],
    upstreamChanges: new Set(),
    tls: engine.table.tls,
    diagnosticsChanged: false,
  };
}

/** Lists a route group for the conflict processor (and so for the options processor too). */
export function reclaim(state: BuildState, group: RouteGroup): void {
  if (group.reclaimedIn === state.build) return;
  group.reclaimedIn = state.build;
  state.reclaimed.push(group);
  touch(state, group);
}

/** Lists a route group for the options processor. */
export function touch(state: BuildState, group: RouteGroup): void {
  if (group.touchedIn === state.build) return;
  group.touchedIn = state.build;
  state.touched.push(group);
}

export function markCoverage(state: BuildState, host: HostState): void {
  if (host.coverageIn === state.build) return;
  host.coverageIn = state.build;
  state.coverage.push(host);
}

export function markDirty(state: BuildState, host: HostState): void {
  if (host.dirtyIn === state.build) return;
  host.dirtyIn = state.build;
  state.dirtyHosts.push(host);
}

const NONE: readonly Diagnostic[] = [];

/**
 * Sets what `source` (a compiled part of an Ingress, a route group, an upstream...) reports now; an
 * empty list forgets the source. Content equal to what it reported before changes nothing.
 */
export function setDiagnostics(state: BuildState, source: object, diagnostics: readonly Diagnostic[]): void {
  const sources = state.engine.diagnosticSources;
  const before = sources.get(source) ?? NONE;
  if (before === diagnostics || sameDiagnostics(before, diagnostics)) return;
  if (diagnostics.length === 0) sources.delete(source);
  else sources.set(source, diagnostics);
  state.diagnosticsChanged = true;
}

export function clearDiagnostics(state: BuildState, source: object | undefined): void {
  if (source !== undefined) setDiagnostics(state, source, NONE);
}

function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  return a.length === b.length && a.every((d, i) => {
    const other = b[i];
    return other !== undefined && d.reason === other.reason && d.message === other.message &&
      d.ingress.namespace === other.ingress.namespace && d.ingress.name === other.ingress.name;
  });
}
