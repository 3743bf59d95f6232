// The state the processors (processors/*.ts) share while one table is built. Each processor reads
// what the ones before it wrote and writes its own field; only build.ts creates a BuildState.
import type { ClusterSnapshot, IngressBackend, IngressObject, ObjectRef } from '../snapshot/model.ts';
import type { BuildOptions, Diagnostic, DiagnosticReason, MatchType, RouteOptions, TlsTable, Upstream } from './types.ts';
import { diagnostic } from './diagnostics.ts';

/**
 * Where a route lives: an exact host, a wildcard host, rules without a host, or spec.defaultBackend
 * (a level of its own: it competes only with other default backends).
 */
export type HostLevel = 'exact' | 'wildcard' | 'any' | 'default';

/** One path of one rule (or a defaultBackend), validated but with its backend not yet resolved. */
export interface RouteCandidate {
  readonly ingress: IngressObject;
  /** Where in the Ingress, for messages: "rule 0 path 1" or "defaultBackend". */
  readonly where: string;
  /** Position within its Ingress: within one Ingress the first of two duplicates wins. */
  readonly order: number;
  readonly level: HostLevel;
  /** Lower-case as written ("shop.example.com", "*.example.com"); "" for 'any' and 'default'. */
  readonly host: string;
  readonly pathType: MatchType;
  /** Normalised (see path.ts). */
  readonly path: string;
  readonly backend: IngressBackend;
}

export interface ResolvedRoute extends RouteCandidate {
  readonly upstream: Upstream;
}

/** A winning route with its options: what the table is assembled from. */
export interface TableRoute extends ResolvedRoute {
  readonly options: RouteOptions;
}

/** A resolved Service port, cached by upstream key so every route of that key shares one Upstream. */
export interface UpstreamResolution {
  readonly upstream: Upstream;
  /** Set when the Service or its port is missing: the route stays (503) but is reported. */
  readonly problem?: { readonly reason: DiagnosticReason; readonly message: string };
}

export interface BuildState {
  readonly snapshot: ClusterSnapshot;
  readonly options: BuildOptions;
  /** Appended to by every processor, sorted once at the end. */
  readonly diagnostics: Diagnostic[];
  /** Written by the backend processor: every upstream it resolved, by key. */
  readonly upstreams: Map<string, UpstreamResolution>;
  /** Ingresses of Bollard's class, sorted by namespace/name (ingress-class processor). */
  ingresses: readonly IngressObject[];
  /** Valid hosts and paths (rules processor). */
  candidates: readonly RouteCandidate[];
  /** Candidates whose backend could be resolved (backend processor). */
  routes: readonly ResolvedRoute[];
  /** Routes that won their (host, pathType, path) (conflict processor). */
  winners: readonly ResolvedRoute[];
  /** Certificates by host from the served Ingresses' spec.tls (TLS processor). */
  tls: TlsTable;
  /** The winners with their options (options processor). */
  tableRoutes: readonly TableRoute[];
}

/** One step of a build. Processors run in a fixed order (build.ts) and never throw on bad input. */
export type Processor = (state: BuildState) => void;

export function newBuildState(snapshot: ClusterSnapshot, options: BuildOptions): BuildState {
  return {
    snapshot,
    options,
    diagnostics: [],
    upstreams: new Map(),
    ingresses: [],
    candidates: [],
    routes: [],
    winners: [],
    tls: { hosts: new Map(), wildcards: new Map() },
    tableRoutes: [],
  };
}

export function report(state: BuildState, ingress: ObjectRef, reason: DiagnosticReason, message: string): void {
  state.diagnostics.push(diagnostic(ingress, reason, message));
}
