// The routing table: a readonly value built by a pure function (build.ts) from a ClusterSnapshot.
// The data plane reads it through one atomic reference and never changes it.
import type { ObjectRef } from '../snapshot/model.ts';
import type { ForwardAuth, MiddlewareChain } from './middleware.ts';
import type { GatewayApiReport } from './gateway/report.ts';

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
  /** The Service port's appProtocol, when set (e.g. "kubernetes.io/h2c", "https", "grpc"). */
  readonly appProtocol?: string;
  /** Ready endpoints, sorted and de-duplicated. Empty means 503. */
  readonly endpoints: readonly Endpoint[];
}

export type MatchType = 'Exact' | 'Prefix';

export type LoadBalancing = 'round-robin' | 'least-request' | 'ewma';

/** How the data plane talks to the upstream: HTTP/1.1, HTTP/1.1 over TLS, h2c, or h2 over TLS. */
export type BackendProtocol = 'HTTP' | 'HTTPS' | 'H2C' | 'GRPC' | 'GRPCS';

/** An Ingress's https redirect: always, never, or (ingress-nginx's ssl-redirect) when its host has a certificate. */
export type SslRedirectMode = 'always' | 'never' | 'with-certificate';

/**
 * Per-route behaviour, from the Ingress's bollard.io/* annotations (docs/configuration.md) over
 * the controller-wide defaults in BuildOptions. Invalid annotation values are reported
 * (InvalidAnnotation) and the default is used.
 */
export interface RouteOptions {
  /** Answer plain-HTTP requests with a 308 to https (never for /.well-known/acme-challenge/). */
  readonly sslRedirect: boolean;
  readonly loadBalancing: LoadBalancing;
  readonly backendProtocol: BackendProtocol;
  /** Upstream response header and body inactivity timeouts. */
  readonly readTimeoutMs: number;
  /** Request body limit; undefined means unlimited. */
  readonly maxBodyBytes: number | undefined;
  /** An upgraded connection (WebSocket) with no bytes either way for this long is closed. */
  readonly tunnelIdleTimeoutMs: number;
  /** Upstream connect timeout; undefined: the data plane's (--upstream-connect-timeout-ms). */
  readonly connectTimeoutMs: number | undefined;
  /** Further endpoints tried after a failed connect; undefined: the data plane's (--upstream-retries). */
  readonly retries: number | undefined;
  /** No retry starts this long after the first attempt did; undefined: no limit. */
  readonly retryTimeoutMs: number | undefined;
  /**
   * nginx ssl-passthrough (only with --enable-ssl-passthrough): TLS connections whose server name is
   * the route's host go, still encrypted, to the upstream of the host's "/" route. Absent: false.
   */
  readonly sslPassthrough?: true;
  /** nginx enable-access-log "false": no access-log line for the route's requests (metrics still count them). Absent: logged. */
  readonly accessLog?: false;
  /** TLS towards the upstream (nginx proxy-ssl-*), for HTTPS and GRPCS backends; absent: Bollard's defaults (no verification). */
  readonly upstreamTls?: UpstreamTls;
  /** nginx enable-opentelemetry and its companions; absent: the controller's tracing settings (--otel-*) alone. */
  readonly tracing?: RouteTracing;
  /**
   * The Strict-Transport-Security value every HTTPS answer of the route carries (--hsts*, as
   * ingress-nginx's hsts keys): set on Ingress routes whose host has a certificate. Absent: none.
   */
  readonly hsts?: string;
}

/**
 * An Ingress's OpenTelemetry annotations: each field set overrides the controller's setting for its
 * routes; the data plane resolves the rest against --otel-* (dataplane/tracing/).
 */
export interface RouteTracing {
  /** Equal keys mean equal settings. */
  readonly key: string;
  /** enable-opentelemetry; undefined: --otel-enabled. */
  readonly enabled: boolean | undefined;
  /** opentelemetry-trust-incoming-span: continue the client's traceparent; undefined: --otel-trust-incoming-span. */
  readonly trustIncomingSpan: boolean | undefined;
  /** opentelemetry-operation-name: the span's name; undefined: "<method> <route path>". */
  readonly operationName: string | undefined;
}

/**
 * How the data plane talks TLS to an upstream (nginx proxy-ssl-*, Gateway API BackendTLSPolicy):
 * verification against a CA, a client certificate, SNI, ciphers and versions. One object per
 * distinct value within a build.
 */
export interface UpstreamTls {
  /** Equal keys mean equal settings; no spaces (the data plane keys its dispatchers with it). */
  readonly key: string;
  /** Verify the upstream's certificate chain and name. */
  readonly verify: boolean;
  /** Certificates allowed above the upstream's own in its verified chain (nginx's proxy_ssl_verify_depth); undefined: any number. */
  readonly verifyDepth: number | undefined;
  /** The name verified (unless subjectAltNames is set) and, with sendServerName, sent as SNI. */
  readonly serverName: string;
  /**
   * BackendTLSPolicy subjectAltNames, as "DNS:name" or "URI:uri": when set, the upstream's certificate
   * must carry one of them (instead of serverName).
   */
  readonly subjectAltNames?: readonly string[];
  readonly sendServerName: boolean;
  /** OpenSSL cipher list; undefined: Node's defaults. */
  readonly ciphers: string | undefined;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
  /**
   * PEM: the client certificate and key shown to the upstream (proxy-ssl-secret, or a Gateway's
   * tls.backend.clientCertificateRef), the CAs it is verified with (undefined: Node's public roots).
   */
  readonly clientCertPem: string | undefined;
  readonly clientKeyPem: string | undefined;
  readonly caPem: string | undefined;
}

/**
 * How requests choose a canary's backend (nginx canary-*): by header (`always`/`never`, or equal to
 * `headerValue`, or matching `headerPattern`), then by cookie (`always`/`never`), then by weight.
 */
export interface CanaryRule {
  /** Lower-case header name. */
  readonly header: string | undefined;
  readonly headerValue: string | undefined;
  readonly headerPattern: string | undefined;
  readonly cookie: string | undefined;
  /** Requests out of weightTotal sent to the canary when neither header nor cookie decided. */
  readonly weight: number;
  readonly weightTotal: number;
  /**
   * nginx affinity-canary-behavior legacy: the canary's answers set no session cookie. Unset (sticky,
   * the default): a session the canary served stays with the canary while its cookie is sent.
   */
  readonly legacyAffinity?: true | undefined;
}

/** A route's second backend, from a canary Ingress of the same host and path. */
export interface Canary {
  readonly ingress: ObjectRef;
  readonly upstream: Upstream;
  readonly rule: CanaryRule;
}

/**
 * nginx default-backend (with custom-http-errors): a Service of the route's namespace that serves the
 * route's requests while the route's own Service has no ready endpoints, and, for upstream answers
 * with one of `codes`, answers instead (asked for "/" with the X-Code headers ingress-nginx sends).
 */
export interface ErrorBackend {
  /** The default-backend Service's first port. */
  readonly upstream: Upstream;
  /** Upstream statuses answered by the error backend instead (custom-http-errors); empty: none. */
  readonly codes: readonly number[];
  /** X-Namespace, X-Ingress-Name, X-Service-Name and X-Service-Port of the route, lower-case names. */
  readonly headers: readonly (readonly [string, string])[];
}

/**
 * A request header or query parameter condition (Gateway API matches): the value equals `exact`,
 * or `pattern` matches it. Header names are lower-case.
 */
export interface ValueCondition {
  readonly name: string;
  readonly exact?: string;
  readonly pattern?: RegExp;
}

/** What a request must carry besides host and path for a (Gateway API) route to take it. */
export interface RequestConditions {
  readonly method?: string;
  readonly headers: readonly ValueCondition[];
  readonly query: readonly ValueCondition[];
  /** Set when the route is attached to listeners of one protocol only: requests on the other do not match. */
  readonly proto?: 'http' | 'https';
}

/** A weighted split over routes alike but for their upstream (Gateway API backendRefs); `cumulative` ends with the total. */
export interface RouteSplit {
  readonly routes: readonly Route[];
  readonly cumulative: readonly number[];
}

/** Which kind of object a route comes from: an Ingress (the default) or a Gateway API route. */
export type RouteSource = 'Ingress' | 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute';

export interface Route {
  /** The object the route comes from (an Ingress, or an HTTPRoute / GRPCRoute when `source` says so). */
  readonly ingress: ObjectRef;
  /** ImplementationSpecific is compiled to Prefix (docs/configuration.md). */
  readonly pathType: MatchType;
  /** Normalised: absolute; Prefix paths carry no trailing slash except the root "/". */
  readonly path: string;
  readonly upstream: Upstream;
  readonly options: RouteOptions;
  /** What the route does besides forwarding (middleware.ts); undefined, the common case, costs nothing. */
  readonly middlewares?: MiddlewareChain | undefined;
  /** nginx canary: a second backend for some requests; undefined, the common case, costs nothing. */
  readonly canary?: Canary | undefined;
  /** nginx default-backend / custom-http-errors; undefined, the common case, costs nothing. */
  readonly errorBackend?: ErrorBackend | undefined;
  /** Absent on Ingress routes. */
  readonly source?: RouteSource;
  /**
   * Gateway API routes only. `when`: the request must also meet these; when it does not, `otherwise`
   * (the next route at the same path, in precedence order) is tried, then shorter paths. Ingress
   * routes never have `when`, so matching them costs one property check more.
   */
  readonly when?: RequestConditions;
  readonly otherwise?: Route;
  /** Several weighted backends: the data plane picks one of these routes per request. */
  readonly split?: RouteSplit;
  /** 500 instead of 503 when the route has no endpoints: its backend reference is invalid (Gateway API). */
  readonly invalidBackend?: boolean;
  /** Equal keys mean equal Gateway parts (when, otherwise, split): what tablesEqual compares of them. */
  readonly gatewayKey?: string;
}

/** A Prefix route of a host whose paths are regular expressions (nginx's use-regex), with its compiled path. */
export interface RegexRoute {
  /** "^" and the route's path, case-insensitive. */
  readonly pattern: RegExp;
  readonly route: Route;
}

/** A certificate and key from a kubernetes.io/tls Secret (same namespace as its Ingress). */
export interface TlsCertificate {
  readonly secret: ObjectRef;
  /** PEM, as in the Secret's tls.crt / tls.key. */
  readonly certPem: string;
  readonly keyPem: string;
  /** nginx ssl-ciphers of the host's Ingress: an OpenSSL cipher list replacing --tls-ciphers. */
  readonly ciphers?: string;
  /** nginx ssl-prefer-server-ciphers: the server's cipher order wins (OpenSSL's default: the client's). */
  readonly preferServerCiphers?: boolean;
  /**
   * A Gateway API HTTPS listener's certificate: "namespace/gateway/listener". A request whose Host
   * leads to another listener's entry than the one its connection's SNI chose is answered 421
   * (dataplane/misdirected.ts). Absent for Ingress certificates.
   */
  readonly gatewayListener?: string;
  /** The listener's frontend client-certificate validation (Gateway spec.tls.frontend). */
  readonly clientValidation?: ClientCertificateValidation;
}

/**
 * Client-certificate validation of a host's handshakes: the handshake asks for a client certificate
 * and checks it against these CAs (Gateway API frontend validation, nginx auth-tls-secret).
 */
export interface ClientCertificateValidation {
  /** The trust anchors: the PEM bundles of the listener's valid caCertificateRefs (or the auth-tls Secret's ca.crt), joined. */
  readonly caPem: string;
  /**
   * AllowValidOnly: no valid certificate, no connection. AllowInsecureFallback: ask, but let every
   * client in (nginx auth-tls: the route's ClientCertificateAuth middleware then decides per request).
   */
  readonly mode: 'AllowValidOnly' | 'AllowInsecureFallback';
  /** nginx auth-tls-secret's ca.crl: the certificates it revokes do not verify (every CA of a chain then needs its CRL, as in nginx). */
  readonly crlPem?: string;
  /** nginx auth-tls-verify-depth: certificates allowed above the client's own in its verified chain; undefined: any number. */
  readonly verifyDepth?: number;
}

/** SNI lookup: exact names, then the wildcard for the name's parent ("*.example.com" → "example.com"). */
export interface TlsTable {
  readonly hosts: ReadonlyMap<string, TlsCertificate>;
  readonly wildcards: ReadonlyMap<string, TlsCertificate>;
  /**
   * A Gateway API HTTPS listener without a hostname: its certificate answers every name nothing
   * above (nor an ACME certificate) covers, instead of the default certificate.
   */
  readonly anyHost?: TlsCertificate | undefined;
  /**
   * nginx auth-tls of hosts whose certificate is not in the table (ACME's answers for them), keyed
   * as `hosts` and `wildcards` are: their handshakes still ask for a client certificate and verify
   * it. Unset when there are none.
   */
  readonly clientValidations?: ClientValidationsByHost | undefined;
}

export interface ClientValidationsByHost {
  readonly hosts: ReadonlyMap<string, ClientCertificateValidation>;
  readonly wildcards: ReadonlyMap<string, ClientCertificateValidation>;
}

/** The routes of one host, pre-compiled so a lookup is a few map reads, never a scan. */
export interface HostRoutes {
  /** Exact routes keyed by path. */
  readonly exact: ReadonlyMap<string, Route>;
  /** Prefix routes keyed by normalised prefix ("/" for the root). */
  readonly prefix: ReadonlyMap<string, Route>;
  /**
   * Set when an Ingress of the host uses regex paths: then every Prefix route of the host, longest
   * path first, is matched by its pattern instead of through `prefix` (as ingress-nginx does).
   */
  readonly regex?: readonly RegexRoute[] | undefined;
  /** Gateway API RegularExpression paths (full match), tried in order after `exact` and before `prefix`. */
  readonly patterns?: readonly RegexRoute[] | undefined;
}

export interface RoutingTable {
  /** Exact hosts, lower-case, no port. */
  readonly hosts: ReadonlyMap<string, HostRoutes>;
  /** Wildcard hosts keyed by the suffix after "*." ("*.example.com" → "example.com"). */
  readonly wildcards: ReadonlyMap<string, HostRoutes>;
  /**
   * Keys of `wildcards` that also match names with several labels before the suffix ("*.example.com"
   * serves a.b.example.com): Gateway API hostnames. Ingress wildcards match one label only.
   */
  readonly deepWildcards?: ReadonlySet<string> | undefined;
  /** Rules without a host. */
  readonly anyHost: HostRoutes | undefined;
  /**
   * Gateways with an address of their own (--gateway-addresses): the table for connections that
   * arrived on that address, with only that Gateway's routes and certificates. Other addresses
   * use this table. Nested tables carry no byAddress; their upstreams are in this table's too.
   */
  readonly byAddress?: ReadonlyMap<string, RoutingTable> | undefined;
  /**
   * Ports Bollard opens on Gateways' own addresses for listeners on other ports than 80 and 443;
   * byAddress holds their tables under portTableKey(address, port).
   */
  readonly portListeners?: readonly PortListener[] | undefined;
  /** spec.defaultBackend of the winning (oldest) Ingress that sets one. */
  readonly defaultBackend: Route | undefined;
  /** Every upstream referenced above, by key, so the data plane can diff its pools. */
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** Certificates by host from the served Ingresses' spec.tls. */
  readonly tls: TlsTable;
  /**
   * nginx from-to-www-redirect: a host without routes of its own → the host its requests are
   * redirected to ("example.com" → "www.example.com" or the reverse). Absent or empty: none.
   */
  readonly wwwRedirects?: ReadonlyMap<string, string> | undefined;
  /**
   * nginx server-alias: a host without routes of its own → the exact host whose routes serve it
   * ("shop.example.net" → "shop.example.com"). Absent or empty: none.
   */
  readonly hostAliases?: ReadonlyMap<string, string> | undefined;
  /** Gateway API TLSRoutes of the table's TLS listeners, by server name. Absent: none. */
  readonly tlsStreams?: TlsStreams | undefined;
  /**
   * The Gateway API TCPRoute every connection to this table's port takes (the table of a TCP
   * listener's port on its Gateway's own address). Absent: none, the connection is closed.
   */
  readonly tcpRoute?: Route | undefined;
}

/**
 * TLS connections routed by server name before any HTTP (Gateway API TLSRoutes). A name maps to
 * its stream, or to "https" where an HTTPS listener more specific than a TLS listener owns it.
 */
export interface TlsStreams {
  readonly hosts: ReadonlyMap<string, TlsStream | 'https'>;
  /** By the suffix after "*.", matching one or more labels (Gateway API wildcards). */
  readonly wildcards: ReadonlyMap<string, TlsStream | 'https'>;
  /** A route on a TLS listener without a hostname, for names nothing above takes. */
  readonly anyHost?: TlsStream | undefined;
  /**
   * No HTTPS listener shares the port: a connection no stream takes (or without a server name) is
   * closed, not answered with a certificate and HTTP.
   */
  readonly refuseOthers: boolean;
}

export interface TlsStream {
  /** passthrough: the client's TLS bytes go to the backend unopened; terminate: the decrypted bytes do. */
  readonly mode: 'passthrough' | 'terminate';
  /** source "TLSRoute"; its upstream (or split, by weight) is where the bytes go. */
  readonly route: Route;
}

/** A port of a Gateway's own address that a Gateway listener uses (RoutingTable.portListeners). */
export interface PortListener {
  readonly address: string;
  readonly port: number;
  /** tcp: a TCP listener's port; its connections go to the table's tcpRoute. */
  readonly proto: 'http' | 'https' | 'tcp';
}

export type DiagnosticReason =
  | 'InvalidHost'
  | 'InvalidPath'
  | 'InvalidPathType'
  | 'InvalidBackend'
  | 'ServiceNotFound'
  | 'ServicePortNotFound'
  | 'NoReadyEndpoints'
  | 'Conflict'
  /** A canary Ingress (nginx canary: "true") with no main Ingress for its host and path, or a second canary. */
  | 'CanaryWithoutMain'
  | 'InvalidAnnotation'
  /** nginx.ingress.kubernetes.io/* annotations Bollard does not act on, listed in one diagnostic per Ingress. */
  | 'UnsupportedAnnotation'
  | 'TLSSecretNotFound'
  /** A proxy-ssl-secret that is missing or unusable: the upstream is reached without its certificate and CA. */
  | 'InvalidProxySSLSecret'
  /** An auth-secret that is missing or unusable: the Ingress's routes refuse requests (503). */
  | 'AuthSecretNotFound'
  | 'InvalidAuthSecret'
  /**
   * A custom-headers ConfigMap that is missing: the annotation is ignored (no headers added); an
   * auth-proxy-set-headers one: the routes refuse requests (503).
   */
  | 'ConfigMapNotFound'
  /** custom-headers entries that cannot be response headers: they are left out. */
  | 'InvalidCustomHeaders'
  /** auth-proxy-set-headers entries that cannot be sent to the authentication service: the routes refuse requests (503). */
  | 'InvalidAuthProxyHeaders'
  | 'InvalidTLSSecret'
  /** The host's certificate names neither the host nor a wildcard over it: clients will reject it. */
  | 'TLSHostNotCovered';

/** A problem with one Ingress. It becomes a Kubernetes Event and a log line; the rest still serves. */
export interface Diagnostic {
  readonly ingress: ObjectRef;
  readonly reason: DiagnosticReason;
  readonly message: string;
}

export interface BuildOptions {
  /** spec.controller of the IngressClasses Bollard serves, e.g. "bollard.io/ingress-controller". */
  readonly controllerName: string;
  /** spec.controllerName of the GatewayClasses Bollard serves (--gateway-controller-name). */
  readonly gatewayControllerName?: string;
  /** --gateway-addresses: each Gateway gets one of these for itself (RoutingTable.byAddress); empty: Gateways share the published addresses. */
  readonly gatewayAddresses?: readonly string[];
  /**
   * The address each Gateway got in the previous build (namespace/name → address; the reconciler
   * passes it on): a Gateway whose status does not show its address yet keeps it (gateway/addresses.ts).
   */
  readonly givenAddresses?: ReadonlyMap<string, string>;
  /** Bollard's own ports (HTTP, HTTPS, admin): Gateway listeners cannot use them on their own addresses. */
  readonly reservedPorts?: readonly number[];
  /** Controller-wide defaults for RouteOptions; annotations override them per Ingress. */
  readonly defaults?: Partial<RouteDefaults>;
  /** --acme-enabled: a spec.tls entry naming no Secret is ACME's to serve, not a missing Secret (TLSSecretNotFound). */
  readonly acme?: boolean;
  /** --enable-ssl-passthrough: honour nginx ssl-passthrough (otherwise it is reported and ignored). */
  readonly sslPassthrough?: boolean;
  /** --global-auth-url and its companions: forward authentication for every Ingress route (nginx enable-global-auth). */
  readonly globalAuth?: ForwardAuth;
}

export interface RouteDefaults {
  /** Redirect plain HTTP to https on hosts that have a certificate in the TLS table (--ssl-redirect). */
  readonly sslRedirect: boolean;
  /** Redirect every host to https, TLS section or not (--force-ssl-redirect); beats sslRedirect. */
  readonly forceSslRedirect: boolean;
  readonly loadBalancing: LoadBalancing;
  readonly readTimeoutMs: number;
  readonly maxBodyBytes: number | undefined;
  readonly tunnelIdleTimeoutMs: number;
  /** Strict-Transport-Security value for HTTPS answers on hosts with a certificate (--hsts*); false: none. */
  readonly hsts: string | false;
}

/**
 * With a BuildCache (cache.ts), every part that did not change since the cache's previous build is
 * the same object as then (the table itself when nothing changed, else its unchanged maps, HostRoutes,
 * Routes, Upstreams and certificates), and so are `diagnostics` and `served` when unchanged.
 */
export interface BuildResult {
  readonly table: RoutingTable;
  /** Sorted by ingress namespace/name, then reason, then message. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every Ingress of Bollard's class, sorted by namespace/name, even when some of it was invalid. */
  readonly served: readonly ObjectRef[];
  /** nginx annotation name → how many served Ingresses carry it without Bollard acting on it; sorted by name. */
  readonly unsupportedAnnotations: ReadonlyMap<string, number>;
  /** Status of the Gateway API objects, when the snapshot has any (gateway/report.ts). */
  readonly gatewayApi?: GatewayApiReport;
}
