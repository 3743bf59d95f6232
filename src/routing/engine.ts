// The incremental build's memory (kept in a BuildCache between builds): each Ingress compiled once
// per object, and the routes, upstreams and certificates of the previous build, linked so that a
// build only revisits what changed. Snapshot objects are immutable and replaced when they change,
// so object identity says "unchanged"; everything that is not an Ingress (Services, slices,
// Secrets) is checked by identity on every build. None of this changes a result: a build with an
// empty engine gives the same table and diagnostics.
import type {
  EndpointSliceObject, IngressBackend, IngressObject, ObjectRef, SecretObject, ServiceBackendPort, ServiceObject,
} from '../snapshot/model.ts';
import type {
  BackendProtocol, CanaryRule, ClientCertificateValidation, Diagnostic, DiagnosticReason, HostRoutes, LoadBalancing, MatchType, Route, RouteOptions, RouteTracing, RoutingTable,
  SslRedirectMode, TlsCertificate, Upstream, UpstreamTls,
} from './types.ts';
import type { ProxySslNeed, ProxySslSecretRef } from './nginx/proxy-ssl.ts';
import type { ProxySslReading } from './proxy-ssl-secrets.ts';
import type { ReadSlots } from './read-slots.ts';
import type { Middleware, MiddlewareChain } from './middleware.ts';
import type { TlsSecretResult } from './tls-secret.ts';
import type { BasicAuthNeed } from './nginx/auth-basic.ts';
import type { HtpasswdReading } from './nginx/htpasswd.ts';
import type { CustomHeadersNeed, CustomHeadersReading } from './nginx/custom-headers.ts';
import type { AuthProxyHeadersNeed, AuthProxyHeadersReading } from './nginx/auth-proxy-headers.ts';
import type { AuthTlsNeed } from './nginx/auth-tls.ts';
import type { ClientCaReading } from './nginx/client-ca.ts';
import type { ConfigMapObject } from '../snapshot/model.ts';
import { SortedKeys } from './sorted-keys.ts';

/**
 * Where a route lives: an exact host, a wildcard host, rules without a host, or spec.defaultBackend
 * (a level of its own: it competes only with other default backends).
 */
export type HostLevel = 'exact' | 'wildcard' | 'any' | 'default';

/** Parts of an Ingress compiled once, with the problems found on the way. */
export interface Compiled<T> {
  readonly items: readonly T[];
  readonly diagnostics: readonly Diagnostic[];
}

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
  /** Normalised (see path.ts); for a regex path, as written. */
  readonly path: string;
  /** Set for a regex path (nginx use-regex): "^" and the path, case-insensitive. */
  readonly pattern: RegExp | undefined;
  readonly backend: IngressBackend;
}

/** A Service port an Ingress backend names, as an upstream slot resolves it. */
export interface ServiceBackendRef {
  readonly namespace: string;
  readonly name: string;
  readonly port: ServiceBackendPort;
  /** nginx service-upstream: one endpoint, the Service's cluster IP and port. */
  readonly clusterIP?: boolean;
  /** nginx default-backend: the Service's first port (`port` is unused). */
  readonly firstPort?: boolean;
}

/** A candidate whose backend names a Service port: it claims its (level, host, pathType, path). */
export interface Claim extends RouteCandidate {
  readonly entry: IngressEntry;
  /** The host's key in its level (HostState.key). */
  readonly hostKey: string;
  /** The path's key within its host (RouteGroup.pathKey). */
  readonly pathKey: string;
  readonly service: ServiceBackendRef;
  readonly upstreamKey: string;
  /** nginx default-backend: the Service (its first port) behind the route, and its upstream key. */
  readonly fallback: { readonly ref: ServiceBackendRef; readonly key: string } | undefined;
}

/**
 * What an Ingress's annotations (both front-ends) settle; unset sslRedirect and backendProtocol depend
 * on the route.
 */
export interface IngressOptions {
  readonly sslRedirect: SslRedirectMode | undefined;
  readonly backendProtocol: BackendProtocol | undefined;
  readonly loadBalancing: LoadBalancing;
  readonly readTimeoutMs: number;
  readonly maxBodyBytes: number | undefined;
  readonly tunnelIdleTimeoutMs: number;
  readonly connectTimeoutMs: number | undefined;
  readonly retries: number | undefined;
  readonly retryTimeoutMs: number | undefined;
  /** Middlewares of every route of the Ingress. */
  readonly filters: readonly Middleware[];
  /** nginx auth-type basic: a BasicAuth middleware from a Secret (auth-secrets.ts). */
  readonly basicAuth: BasicAuthNeed | undefined;
  /** nginx custom-headers: a ResponseHeaderModifier from a ConfigMap (custom-header-maps.ts). */
  readonly customHeaders: CustomHeadersNeed | undefined;
  /** nginx satisfy any: the access checks of each route's chain pass when any one does (middleware.ts withAnyAccess). */
  readonly satisfyAny: boolean;
  /** nginx auth-proxy-set-headers: request headers for auth-url's service from a ConfigMap (auth-proxy-header-maps.ts); refuse: unusable. */
  readonly authProxyHeaders: AuthProxyHeadersNeed | 'refuse' | undefined;
  /** The controller's global auth applies (BuildOptions.globalAuth): no auth-url of its own, enable-global-auth not "false". */
  readonly globalAuth: boolean;
  /** nginx rewrite-target: each route's path becomes a RegexCapture rewrite to it. */
  readonly rewriteTarget: string | undefined;
  /** nginx canary: how requests choose this Ingress's backend, when it is a canary. */
  readonly canary: CanaryRule | undefined;
  /** nginx from-to-www-redirect (RoutingTable.wwwRedirects). */
  readonly wwwRedirect: boolean;
  /** nginx custom-http-errors (with default-backend), sorted; empty: none. */
  readonly customHttpErrors: readonly number[];
  /** nginx server-alias (RoutingTable.hostAliases), sorted. */
  readonly serverAliases: readonly string[];
  /** nginx ssl-passthrough, with --enable-ssl-passthrough (RouteOptions.sslPassthrough). */
  readonly sslPassthrough: boolean;
  /** nginx enable-access-log "false" (RouteOptions.accessLog). */
  readonly accessLogOff: boolean;
  /** nginx enable-opentelemetry and its companions (RouteOptions.tracing). */
  readonly tracing: RouteTracing | undefined;
  /** nginx proxy-ssl-*: RouteOptions.upstreamTls of HTTPS and GRPCS routes (proxy-ssl-secrets.ts). */
  readonly proxySsl: ProxySslNeed | undefined;
  /** nginx auth-tls-*: the settings it offers its spec.tls hosts (host-client-auth.ts); its routes elsewhere refuse. */
  readonly authTls: AuthTlsNeed | undefined;
  /** nginx annotations the Ingress carries that Bollard does not act on, sorted. */
  readonly unsupported: readonly string[];
  /** RouteOptions by sslRedirect and backendProtocol, so routes alike share one object. */
  readonly shared: (RouteOptions | undefined)[];
  /** Chains by route path (they differ by path only with rewriteTarget). */
  readonly chains: Map<string, MiddlewareChain | undefined>;
  readonly diagnostics: readonly Diagnostic[];
}

/** One spec.tls entry with hosts: it claims a certificate for each of them. */
export interface TlsEntry {
  readonly entry: IngressEntry;
  /** Position within the Ingress's spec.tls: within one Ingress the first entry wins. */
  readonly index: number;
  /** "tls 0" */
  readonly where: string;
  /** Lower-cased as written, without duplicates ("shop.example.com", "*.example.com"). */
  readonly hosts: readonly string[];
  /** The Secret (in the Ingress's namespace) and its "namespace/name"; undefined when the entry names none. */
  readonly secret: ObjectRef | undefined;
  readonly secretKey: string | undefined;
}

/** One Ingress object as the build knows it. */
export interface IngressEntry {
  readonly ingress: IngressObject;
  /** Of Bollard's class. */
  readonly ours: boolean;
  readonly ref: ObjectRef;
  /** precedenceKey (compare.ts). */
  readonly precedence: string;
  /** Linked into the engine's routes, upstreams and certificates. */
  live: boolean;
  /** The last build that found it in the snapshot. */
  seen: number;
  /** Filled once, on first use, by the rules, backend, TLS and options processors. */
  candidates: Compiled<RouteCandidate> | undefined;
  claims: Compiled<Claim> | undefined;
  tls: Compiled<TlsEntry> | undefined;
  options: IngressOptions | undefined;
}

/** One route of one host: its claims, oldest Ingress first, and the Route built from the first (the winner). */
export interface RouteGroup {
  readonly host: HostState;
  readonly pathKey: string;
  readonly claims: Claim[];
  winner: Claim | undefined;
  winnerSlot: UpstreamSlot | undefined;
  /** nginx canary: the first claim of a canary Ingress, while a main claim wins; and its upstream slot. */
  canary: Claim | undefined;
  canarySlot: UpstreamSlot | undefined;
  /** nginx default-backend: the winner's fallback upstream slot. */
  fallbackSlot: UpstreamSlot | undefined;
  route: Route | undefined;
  /** The last build that listed it in BuildState.reclaimed / touched (a mark, so each list holds it once). */
  reclaimedIn: number;
  touchedIn: number;
}

/** One key of one level of the table (exact: the host; wildcard: the suffix; any, default: ""). */
export interface HostState {
  readonly level: HostLevel;
  readonly key: string;
  /** As in the routes: "shop.example.com", "*.example.com" or "". */
  readonly host: string;
  /** By pathKey: the path for Prefix routes, "=" and the path for Exact ones. */
  readonly groups: Map<string, RouteGroup>;
  /** Whether SNI finds a certificate for the host; undefined until first known. */
  hasCertificate: boolean | undefined;
  /** nginx auth-tls of the host (its TLS group's), as its routes were last settled with it. */
  clientAuth: HostClientAuth | undefined;
  /** The routes as last assembled, in table order, and the table's value for them. */
  routes: readonly Route[];
  hostRoutes: HostRoutes | undefined;
  /** The last build that listed it in BuildState.coverage / dirtyHosts. */
  coverageIn: number;
  dirtyIn: number;
}

/** One upstream key: the claims that use it and its resolution from the Service and slices seen. */
export interface UpstreamSlot {
  readonly key: string;
  readonly ref: ServiceBackendRef;
  readonly users: Set<Claim>;
  /** Set for an nginx default-backend's Service: its problems are reported as the annotation's. */
  readonly annotation?: string;
  service: ServiceObject | undefined;
  slices: readonly EndpointSliceObject[];
  resolution: UpstreamResolution | undefined;
  /** How many route groups this upstream wins; the table lists it while above zero. */
  winners: number;
}

/** A resolved Service port; every route of that key shares one Upstream. */
export interface UpstreamResolution {
  readonly upstream: Upstream;
  /** Set when the Service or its port is missing: the route stays (503) but is reported. */
  readonly problem?: { readonly reason: DiagnosticReason; readonly message: string };
}

/** One TLS Secret named by spec.tls entries: what it was last read as. */
export interface SecretSlot {
  readonly namespace: string;
  readonly name: string;
  readonly users: Set<TlsEntry>;
  secret: SecretObject | undefined;
  result: TlsSecretResult | undefined;
}

/** One TLS host as written: the entries naming it, oldest Ingress first, and the certificate won. */
export interface TlsGroup {
  readonly host: string;
  readonly claims: TlsEntry[];
  certificate: TlsCertificate | undefined;
  /** nginx auth-tls: the settings of the oldest claiming Ingress that has them, and the Secret slot it reads. */
  clientAuth: HostClientAuth | undefined;
  clientCaKey: string | undefined;
}

/** nginx auth-tls of one TLS host (host-client-auth.ts). */
export interface HostClientAuth {
  readonly need: AuthTlsNeed;
  /** The Ingress whose settings the host took. */
  readonly ingress: ObjectRef;
  readonly reading: ClientCaReading;
  /** What the host's handshakes ask for; undefined with verify-client off or an unusable Secret. */
  readonly validation: ClientCertificateValidation | undefined;
}

export interface Engine {
  /** BuildContext.key it was built under. */
  readonly context: string;
  readonly entries: WeakMap<IngressObject, IngressEntry>;
  /** snapshot.ingresses() as the previous build saw it. */
  ingressList: readonly IngressObject[] | undefined;
  /** Ingresses of Bollard's class, sorted by namespace/name, and their refs (BuildResult.served). */
  served: readonly IngressEntry[];
  servedRefs: readonly ObjectRef[];
  /** Counts the builds that found a new snapshot list (IngressEntry.seen). */
  stamp: number;
  /** Counts builds (the marks of RouteGroup and HostState). */
  builds: number;
  readonly levels: Readonly<Record<HostLevel, Map<string, HostState>>>;
  readonly hostKeys: SortedKeys;
  readonly wildcardKeys: SortedKeys;
  /** Exact hosts by their parent ("a.example.com" under "example.com"), for wildcard certificates. */
  readonly parents: Map<string, Set<HostState>>;
  readonly upstreams: Map<string, UpstreamSlot>;
  /** Keys of the upstreams some route wins (RoutingTable.upstreams). */
  readonly winnerKeys: SortedKeys;
  readonly secrets: Map<string, SecretSlot>;
  /** Auth Secrets by BasicAuthNeed.slotKey, and the Ingresses whose routes use them. */
  readonly authSecrets: ReadSlots<BasicAuthNeed, SecretObject, HtpasswdReading, IngressEntry>;
  /** custom-headers ConfigMaps by "namespace/name", and the Ingresses whose routes use them. */
  readonly customHeaderMaps: ReadSlots<CustomHeadersNeed, ConfigMapObject, CustomHeadersReading, IngressEntry>;
  readonly authProxyHeaderMaps: ReadSlots<AuthProxyHeadersNeed, ConfigMapObject, AuthProxyHeadersReading, IngressEntry>;
  /** proxy-ssl-secret Secrets by "namespace/name", and the Ingresses whose routes use them. */
  readonly proxySslSecrets: ReadSlots<ProxySslSecretRef, SecretObject, ProxySslReading, IngressEntry>;
  /** One UpstreamTls object per key. */
  readonly upstreamTls: Map<string, UpstreamTls>;
  readonly tlsGroups: Map<string, TlsGroup>;
  /** nginx auth-tls-secret Secrets by "namespace/name", and the TLS hosts whose client-certificate settings read them. */
  readonly clientCaSecrets: ReadSlots<ObjectRef, SecretObject, ClientCaReading, TlsGroup>;
  /** A certificate with a host's ssl-ciphers and auth-tls validation, one object per certificate and settings (tls-ciphers.ts). */
  readonly cipheredCertificates: WeakMap<TlsCertificate, Map<string, TlsCertificate>>;
  readonly tlsHostKeys: SortedKeys;
  readonly tlsWildcardKeys: SortedKeys;
  /** auth-tls validations of TLS hosts without a certificate in the table, by host as written ("*.a.b" too). */
  readonly tlsValidationsOnly: Map<string, ClientCertificateValidation>;
  /** Live TLS entries whose Secret is missing or unusable. */
  readonly failing: Set<TlsEntry>;
  /** Options of Ingresses without route annotations (set by the options processor). */
  unannotated: IngressOptions | undefined;
  /** One RouteOptions object per distinct value, so equal options are identical. */
  readonly routeOptions: Map<string, RouteOptions>;
  /** One MiddlewareChain object per distinct key. */
  readonly chains: Map<string, MiddlewareChain>;
  /** Served Ingresses per unsupported nginx annotation, and the value last handed out (BuildResult). */
  readonly unsupportedCounts: Map<string, number>;
  unsupportedAnnotations: ReadonlyMap<string, number>;
  /** RoutingTable.wwwRedirects as last built. */
  wwwRedirects: ReadonlyMap<string, string>;
  /** RoutingTable.hostAliases as last built. */
  hostAliases: ReadonlyMap<string, string>;
  /** Each problem source (a compiled part, a group, a slot) with its current diagnostics. */
  readonly diagnosticSources: Map<object, readonly Diagnostic[]>;
  /** The previous build's outputs. */
  table: RoutingTable;
  diagnostics: readonly Diagnostic[];
}

/**
 * Compiled parts are kept for as long as their Ingress is served, so their arrays are stored at
 * their exact size (an array grown by push keeps room for more), and empty ones are shared.
 */
export function compiled<T>(items: readonly T[], diagnostics: readonly Diagnostic[]): Compiled<T> {
  return { items: items.length === 0 ? NOTHING : items.slice(), diagnostics: diagnostics.length === 0 ? NOTHING : diagnostics.slice() };
}

const NOTHING: readonly never[] = Object.freeze([]);

export function newEngine(context: string): Engine {
  return {
    context,
    entries: new WeakMap(),
    ingressList: undefined,
    served: [],
    servedRefs: [],
    stamp: 0,
    builds: 0,
    levels: { exact: new Map(), wildcard: new Map(), any: new Map(), default: new Map() },
    hostKeys: new SortedKeys(),
    wildcardKeys: new SortedKeys(),
    parents: new Map(),
    upstreams: new Map(),
    winnerKeys: new SortedKeys(),
    secrets: new Map(),
    authSecrets: new Map(),
    customHeaderMaps: new Map(),
    authProxyHeaderMaps: new Map(),
    proxySslSecrets: new Map(),
    upstreamTls: new Map(),
    tlsGroups: new Map(),
    clientCaSecrets: new Map(),
    cipheredCertificates: new WeakMap(),
    tlsHostKeys: new SortedKeys(),
    tlsWildcardKeys: new SortedKeys(),
    tlsValidationsOnly: new Map(),
    failing: new Set(),
    unannotated: undefined,
    routeOptions: new Map(),
    chains: new Map(),
    unsupportedCounts: new Map(),
    unsupportedAnnotations: new Map(),
    wwwRedirects: new Map(),
    hostAliases: new Map(),
    diagnosticSources: new Map(),
    table: {
      hosts: new Map(), wildcards: new Map(), anyHost: undefined, defaultBackend: undefined,
      upstreams: new Map(), tls: { hosts: new Map(), wildcards: new Map() },
    },
    diagnostics: [],
  };
}
