// The routing table: a readonly value built by a pure function (build.ts) from a ClusterSnapshot.
// The data plane reads it through one atomic reference and never changes it.
import type { ObjectRef } from '../snapshot/model.ts';

/** Where a request may go: an IP address (EndpointSlice) or a DNS name (ExternalName Service). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** A Service port as seen by the data plane: the endpoints it balances over. */
export interface Upstream {
  /** Stable identity across rebuilds: "namespace/service:port" (port as written in the Ingress). */
  readonly key: string;
  readonly service: ObjectRef;
  /** Ready endpoints, sorted and de-duplicated. Empty means 503. */
  readonly endpoints: readonly Endpoint[];
}

export type MatchType = 'Exact' | 'Prefix';

export interface Route {
  readonly ingress: ObjectRef;
  /** ImplementationSpecific is compiled to Prefix (docs/configuration.md). */
  readonly pathType: MatchType;
  /** Normalised: absolute; Prefix paths carry no trailing slash except the root "/". */
  readonly path: string;
  readonly upstream: Upstream;
}

/** The routes of one host, pre-compiled so a lookup is a few map reads, never a scan. */
export interface HostRoutes {
  /** Exact routes keyed by path. */
  readonly exact: ReadonlyMap<string, Route>;
  /** Prefix routes keyed by normalised prefix ("/" for the root). */
  readonly prefix: ReadonlyMap<string, Route>;
}

export interface RoutingTable {
  /** Exact hosts, lower-case, no port. */
  readonly hosts: ReadonlyMap<string, HostRoutes>;
  /** Wildcard hosts keyed by the suffix after "*." ("*.example.com" → "example.com"). */
  readonly wildcards: ReadonlyMap<string, HostRoutes>;
  /** Rules without a host. */
  readonly anyHost: HostRoutes | undefined;
  /** spec.defaultBackend of the winning (oldest) Ingress that sets one. */
  readonly defaultBackend: Route | undefined;
  /** Every upstream referenced above, by key, so the data plane can diff its pools. */
  readonly upstreams: ReadonlyMap<string, Upstream>;
}

export type DiagnosticReason =
  | 'InvalidHost'
  | 'InvalidPath'
  | 'InvalidPathType'
  | 'InvalidBackend'
  | 'ServiceNotFound'
  | 'ServicePortNotFound'
  | 'NoReadyEndpoints'
  | 'Conflict';

/** A problem with one Ingress. It becomes a Kubernetes Event and a log line; the rest still serves. */
export interface Diagnostic {
  readonly ingress: ObjectRef;
  readonly reason: DiagnosticReason;
  readonly message: string;
}

export interface BuildOptions {
  /** spec.controller of the IngressClasses Bollard serves, e.g. "bollard.io/ingress-controller". */
  readonly controllerName: string;
}

export interface BuildResult {
  readonly table: RoutingTable;
  /** Sorted by ingress namespace/name, then reason, then message. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every Ingress of Bollard's class, sorted by namespace/name, even when some of it was invalid. */
  readonly served: readonly ObjectRef[];
}
