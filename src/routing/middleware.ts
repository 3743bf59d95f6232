// The middleware model: what a route does to a request besides forwarding it, shaped as filters
// (like Gateway API's HTTPRoute filters), not as nginx directives. Front-ends compile into it:
// the nginx.ingress.kubernetes.io/* annotations (nginx/read.ts), our bollard.io/* ones, and later
// Gateway API filters. It is plain data, because tables cross the worker IPC channel; the data plane
// compiles each chain once (src/dataplane/middleware/) and runs it in the order of MIDDLEWARE_ORDER.

/** A value taken from the request when a Location is written (the nginx variable of the same name). */
export type RequestValue = 'scheme' | 'host' | 'request_uri' | 'escaped_request_uri' | 'uri' | 'args' | 'is_args';

/** Text, or a request value put in its place. */
export type TemplatePart = string | { readonly value: RequestValue } | PrefixReplacedPath;

/**
 * The path as sent with a matched prefix replaced (Gateway API's ReplacePrefixMatch), exactly one
 * "/" between the replacement and the rest; a path outside the prefix is kept as it is.
 */
export interface PrefixReplacedPath {
  readonly value: 'uri';
  readonly replacePrefix: string;
  readonly replacement: string;
}

export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/** Answers with a redirect instead of forwarding. */
export interface RequestRedirect {
  readonly kind: 'RequestRedirect';
  readonly statusCode: RedirectStatus;
  /** Only requests whose path is exactly this (app-root redirects "/"); undefined: every request. */
  readonly onlyPath: string | undefined;
  readonly location: readonly TemplatePart[];
}

/**
 * Changes what the upstream is asked for. RegexCapture: when `pattern` (case-insensitive, anchored at
 * the start) matches the path as sent, the whole path becomes `replacement` with $1…$9 filled in
 * (nginx's rewrite … break). ReplacePrefixMatch: the matched prefix is replaced.
 */
export interface UrlRewrite {
  readonly kind: 'URLRewrite';
  readonly path:
    | { readonly type: 'RegexCapture'; readonly pattern: string; readonly replacement: string }
    | { readonly type: 'ReplacePrefixMatch'; readonly prefix: string; readonly replacement: string }
    | undefined;
  /** The Host header sent upstream instead of the client's. */
  readonly hostname: string | undefined;
  /** nginx enable-rewrite-log: each request whose path or Host this rewrite changes is logged (level info, msg "rewrite"). */
  readonly log?: RewriteLog | undefined;
}

/** Whose rewrite a "rewrite" log line reports. */
export interface RewriteLog {
  /** "namespace/name" of the Ingress. */
  readonly ingress: string;
  /** The route's path type and path ("Prefix /api(/|$)(.*)"); empty until the chain is made for a route. */
  readonly route: string;
}

/**
 * Header changes, names lower-case; `set` replaces, `remove` drops, `add` (Gateway API) appends to the
 * value the client (request) or the upstream (response) sent, comma-separated, or sets it when none was.
 */
export interface HeaderModifier {
  readonly kind: 'RequestHeaderModifier' | 'ResponseHeaderModifier';
  readonly set: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
  readonly add?: readonly (readonly [string, string])[];
}

/**
 * Who may send requests, by the client address (after trusted proxies): a denied address, or one
 * outside a non-empty allow list, gets 403. Deny is checked first. Entries are CIDRs or addresses.
 */
export interface IpAccess {
  readonly kind: 'IPAccess';
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/**
 * Cross-origin resource sharing: preflights answered here, response headers added on the way back.
 * ingress-nginx's rules unless `gatewayApi` (src/dataplane/middleware/cors.ts has both).
 */
export interface Cors {
  readonly kind: 'CORS';
  /**
   * "*", exact origins ("https://a.example:8443"), or wildcards ("https://*.example.com"): one label
   * for nginx, any number of labels for Gateway API (whose origins are lower-case, without the
   * scheme's default port).
   */
  readonly allowOrigins: readonly string[];
  /** Comma-separated lists, "" for none; for Gateway API "*" too. */
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly exposeHeaders: string;
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
  /**
   * Gateway API's CORS filter: only requests with an Origin get CORS headers; every preflight
   * (OPTIONS with Origin and Access-Control-Request-Method) is answered here, 204 without CORS
   * headers when the origin is not allowed; with credentials allowed, "*" (origins, methods,
   * headers) echoes what the request asked for instead, as browsers refuse "*" then.
   */
  readonly gatewayApi?: true;
}

/** A middleware whose configuration was unusable and whose absence would open access: answer `status`. */
export interface Refuse {
  readonly kind: 'Refuse';
  readonly status: 503;
  /** Which annotation, for the access log reader. */
  readonly reason: string;
}

/**
 * nginx's client-certificate authentication (auth-tls-*), per request, over what the connection's
 * handshake recorded (the host's ClientCertificateValidation asked for the certificate and checked
 * it): `on` refuses a request without a verified certificate (400, or a 302 to `errorPage`),
 * `optional` only one whose certificate failed, `optional_no_ca` and `off` none; then a subject DN
 * (RFC 2253) that `matchSubject` does not find is refused 403; then the ssl-client-* headers go
 * upstream (ssl-client-cert, the URL-encoded PEM, only with `passCertificate`).
 */
export interface ClientCertificateAuth {
  readonly kind: 'ClientCertificateAuth';
  readonly verify: 'on' | 'off' | 'optional' | 'optional_no_ca';
  /** An http(s) URL or an absolute path: verification failures get a 302 there instead of 400. */
  readonly errorPage: string | undefined;
  /** A regular expression (JavaScript, case-sensitive, unanchored) the subject DN must match. */
  readonly matchSubject: string | undefined;
  readonly passCertificate: boolean;
  /** The route redirects plain HTTP to https: a plain-HTTP request is left to that redirect rather than refused. */
  readonly plainHttpRedirected: boolean;
}

/**
 * HTTP Basic authentication against htpasswd entries: a request without valid credentials gets 401
 * with a challenge for `realm`. Hashes as htpasswd writes them: bcrypt ($2y$, $2a$, $2b$), apr1-MD5
 * ($apr1$) and SHA-1 ({SHA}).
 */
export interface BasicAuth {
  readonly kind: 'BasicAuth';
  readonly realm: string;
  /** [user, hash], sorted by user, one entry per user. */
  readonly users: readonly (readonly [string, string])[];
}

/**
 * HTTP Digest authentication (RFC 7616, MD5 with qop "auth", as nginx's digest module speaks it):
 * users are [user, HA1] (hex MD5 of "user:realm:password", as htdigest writes them), sorted by user.
 * Nonces are made and checked by the data plane without state shared between processes.
 */
export interface DigestAuth {
  readonly kind: 'DigestAuth';
  readonly realm: string;
  readonly users: readonly (readonly [string, string])[];
}

/**
 * Asks an authentication service first (nginx's auth_request): the request's headers, without its
 * body, go to `url` with the X-Original-* headers. 2xx lets the request through, carrying the
 * service's `copyHeaders`; 401 is passed on (with its WWW-Authenticate), or becomes a 302 to
 * `signin` when set; 403 is passed on; anything else, a failure included, is 500.
 */
export interface ForwardAuth {
  readonly kind: 'ForwardAuth';
  /** An absolute http(s) URL. */
  readonly url: readonly TemplatePart[];
  readonly method: string;
  readonly signin: readonly TemplatePart[] | undefined;
  /** The query parameter of `signin` that carries the original URL, unless `signin` already has it. */
  readonly signinRedirectParam: string;
  /** Response headers of the service copied onto the upstream request, lower-case. */
  readonly copyHeaders: readonly string[];
  /** X-Auth-Request-Redirect sent to the service; undefined: the request URI. */
  readonly requestRedirect: string | undefined;
  /**
   * The service's Set-Cookie goes to the client on every answer (nginx `add_header … always`): its
   * 401 and 403 passed on, and upstream errors. Unset: only on 2xx and 3xx answers, as nginx's add_header.
   */
  readonly alwaysSetCookie?: true | undefined;
  /** Request headers set on the request to the service (nginx auth-proxy-set-headers), lower-case names. */
  readonly setHeaders?: readonly (readonly [string, readonly TemplatePart[]])[] | undefined;
  readonly cache?: AuthCache | undefined;
  /** The service is reached over keep-alive connections of its own (nginx auth-keepalive). */
  readonly keepalive?: AuthKeepalive | undefined;
  /** Which route the chain belongs to: answers are cached per route and host, as nginx caches per location. */
  readonly cacheScope?: string | undefined;
}

/** A part of a cache key: text, a request value, a request header (nginx $http_*) or cookie ($cookie_*). */
export type KeyPart =
  | string | { readonly value: RequestValue | 'remote_addr' | 'remote_user' | 'request_method' }
  | { readonly header: string } | { readonly cookie: string };

/**
 * The service's answers kept per replica process (nginx auth-cache-key, auth-cache-duration): an
 * answer whose status a duration lists is reused for requests with the same key during it.
 */
export interface AuthCache {
  readonly key: readonly KeyPart[];
  /** In order, the first that lists the status wins; `any` lists every status. */
  readonly durations: readonly { readonly statuses: readonly number[] | 'any'; readonly seconds: number }[];
}

export interface AuthKeepalive {
  /** Idle connections nginx keeps (keepalive); Bollard keeps every idle one until `idleTimeoutMs`. */
  readonly connections: number;
  /** Requests per connection before it is closed (keepalive_requests). */
  readonly requestsPerConnection: number;
  readonly idleTimeoutMs: number;
  /** The service gets the X-Request-ID the upstream gets (auth-keepalive-share-vars); else one of its own. */
  readonly shareRequestId: boolean;
}

/**
 * Sticky sessions by a cookie Bollard sets (Gateway API's SessionPersistence of type Cookie): a
 * request carrying it goes to the endpoint it leads to; otherwise the balancer picks one and the
 * answer sets the cookie. `persistent`: the cookie names the endpoint (an opaque hash of it) and the
 * session stays there while the endpoint is eligible. `balanced` (ingress-nginx's default): the
 * cookie is a position on a hash ring of the upstream's endpoints, so when endpoints are added about
 * 1/N of the sessions move to the N-th, and sessions move only as the endpoint set changes.
 */
export interface SessionPersistence {
  readonly kind: 'SessionPersistence';
  readonly mode: 'balanced' | 'persistent';
  readonly cookieName: string;
  /** Cookie Path; undefined until the route fills in its own path (route-chain.ts). */
  readonly path: string | undefined;
  readonly maxAgeSeconds: number | undefined;
  /** Expires, this many seconds after the cookie is set. */
  readonly expiresSeconds: number | undefined;
  readonly sameSite: 'None' | 'Lax' | 'Strict' | undefined;
  /** Secure even on plain HTTP (it is always set on HTTPS). */
  readonly secure: boolean;
  /** After the named endpoint fails and another serves, point the cookie at that one. */
  readonly changeOnFailure: boolean;
  /** Cookie Domain; unset: the host the client asked for (a host-only cookie). */
  readonly domain?: string | undefined;
  /** SameSite=None is left out for user agents known to reject cookies that carry it (ingress-nginx's list). */
  readonly conditionalSameSiteNone?: true | undefined;
}

/**
 * Request rate limits per client address (after trusted proxies), each a token bucket of
 * `burst` + 1 requests refilled at `perSecond`, and a cap on requests in progress; a request over
 * either is refused with the data plane's rejection status. State lives in each data-plane process. Exempt addresses skip it.
 */
export interface RateLimit {
  readonly kind: 'RateLimit';
  /** Whose buckets: "namespace/name" of the Ingress, so Ingresses with equal limits count apart (nginx's zone per Ingress). */
  readonly zone: string;
  readonly buckets: readonly { readonly perSecond: number; readonly burst: number }[];
  /** Requests of one client address in progress at once; undefined: no limit. */
  readonly connections: number | undefined;
  /** CIDRs or addresses never limited. */
  readonly exempt: readonly string[];
}

/**
 * A request limit per window shared by every replica (nginx global-rate-limit): at most `limit`
 * requests with one key (text and request values, as a hash key) per `windowSeconds`, counted
 * together for all routes of one `rule` (ingress-nginx counts per Ingress), over an approximate
 * sliding window. Each data-plane process counts locally and syncs with the others through the
 * primary (and etcd, when configured); a request over it gets the data plane's global rejection
 * status (429 by default). Exempt addresses are never counted nor refused.
 */
export interface GlobalRateLimit {
  readonly kind: 'GlobalRateLimit';
  /** Whose counters: the Ingress's UID, so every path of it counts together and a new Ingress starts afresh. */
  readonly rule: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly key: readonly HashKeyPart[];
  /** CIDRs or addresses never limited. */
  readonly exempt: readonly string[];
}

/**
 * Slows the response body sent to the client (nginx's limit_rate and limit_rate_after, per request):
 * by `t` seconds after forwarding starts, at most afterBytes + bytesPerSecond × (t + 1) bytes have
 * gone out (nginx grants the first second at once). The body is never buffered for it: the upstream
 * is paused while a chunk waits.
 */
export interface ResponseRateLimit {
  readonly kind: 'ResponseRateLimit';
  readonly bytesPerSecond: number;
  readonly afterBytes: number;
}

/**
 * Gateway API's RequestMirror: a copy of the request as forwarded (method, path and query, headers
 * with the Host the upstream gets, body) goes to one endpoint of an upstream, for a `ratio` of the
 * requests; its answer is discarded and its failure or slowness never reaches the client.
 * nginx's mirror-target adds what a URL says: where the copy goes, the path it asks for, its Host,
 * and whether it carries the body.
 */
export interface RequestMirror {
  readonly kind: 'RequestMirror';
  /** A key of the table's upstreams (the data plane has a pool for each); with `url`, the URL's origin. */
  readonly upstreamKey: string;
  /** types.ts's BackendProtocol, spelled out: routing/ has no import circles. */
  readonly backendProtocol: 'HTTP' | 'HTTPS' | 'H2C' | 'GRPC' | 'GRPCS';
  /** The share of requests mirrored, 0 (none) to 1 (all). */
  readonly ratio: number;
  /** Copies go to this host and port instead of an upstream of the table (nginx mirror-target). */
  readonly url?: MirrorUrl;
  /** The copy's Host header; undefined: the one the upstream gets. */
  readonly hostname?: string;
  /** false: copies go without the body (nginx mirror-request-body off). */
  readonly body?: false;
}

/** Where a URL mirror sends its copies. */
export interface MirrorUrl {
  /** A DNS name or an address: a name is resolved by the data plane when it connects. */
  readonly host: string;
  readonly port: number;
  /** The path and query the copy asks for; undefined: the ones the upstream is asked for. */
  readonly path: readonly TemplatePart[] | undefined;
}

/** Part of a hash key: text, or a value of the request (nginx variables: $request_uri, $http_x_user, …). */
export type HashKeyPart =
  | string
  | { readonly value: 'request_uri' | 'uri' | 'args' | 'is_args' | 'host' | 'scheme' | 'request_method' | 'remote_addr' }
  | { readonly header: string }
  | { readonly cookie: string }
  | { readonly arg: string };

/**
 * Consistent hashing (nginx upstream-hash-by): the key made from the request picks the endpoint on a
 * hash ring of the upstream's endpoints, so requests with one key go to one endpoint and a change of
 * the endpoints moves only the keys of the arcs that changed owner. With `subsetSize`, the key picks a
 * subset of that many endpoints, and each request one of them at random (upstream-hash-by-subset).
 */
export interface ConsistentHash {
  readonly kind: 'ConsistentHash';
  readonly key: readonly HashKeyPart[];
  readonly subsetSize: number | undefined;
}

/**
 * A change of the text of a response header value (nginx's proxy_redirect, proxy_cookie_domain,
 * proxy_cookie_path). Prefix: a value starting with `text` (case-sensitive) gets `replacement` in
 * its place. Domain: a value equal to `text` (any case, a leading dot ignored on both) becomes
 * `replacement`. Pattern: a value `text` (a JavaScript regular expression, unanchored) matches
 * becomes `replacement` as a whole.
 */
export interface TextReplacement {
  readonly match: 'Prefix' | 'Domain' | 'Pattern';
  readonly text: string;
  readonly replacement: string;
  /** Pattern only: matched in any case (nginx's "~*"). */
  readonly ignoreCase?: true;
}

/** Rewrites the Location and Refresh headers of the upstream's answers (nginx proxy-redirect-from/-to). */
export interface LocationRewrite {
  readonly kind: 'LocationRewrite';
  readonly rule: TextReplacement;
}

/** Rewrites the Domain and Path attributes of the upstream's Set-Cookie headers (nginx proxy-cookie-domain/-path). */
export interface SetCookieRewrite {
  readonly kind: 'SetCookieRewrite';
  readonly domain: TextReplacement | undefined;
  readonly path: TextReplacement | undefined;
}

/** The access checks an AnyOf can hold: the ones nginx's access phase runs (satisfy covers them). */
export type AccessCheck = IpAccess | BasicAuth | DigestAuth | ForwardAuth;

/**
 * Access when any one of the checks lets the request in (nginx's `satisfy any`), tried in order; the
 * first that passes ends it (later ones, an authentication service included, are not asked). When
 * none passes: a 401 (or a ForwardAuth's sign-in redirect) if one said so, else 403; any other
 * answer (a failed authentication service: 500) at once. Without it every check must pass.
 */
export interface AnyOf {
  readonly kind: 'AnyOf';
  readonly checks: readonly AccessCheck[];
}

export type Middleware =
  | Refuse | ClientCertificateAuth | IpAccess | RequestRedirect | Cors | BasicAuth | DigestAuth | ForwardAuth | AnyOf | UrlRewrite | HeaderModifier | SessionPersistence | RateLimit | GlobalRateLimit | ResponseRateLimit | RequestMirror
  | ConsistentHash | LocationRewrite | SetCookieRewrite;

/**
 * The order a chain runs in: refusals, then client certificates (nginx refuses them before any
 * phase runs), then address checks, then local answers (redirects and
 * CORS preflights are answered before authentication, as nginx's rewrite phase runs before its access
 * phase), then rate limits (nginx's preaccess phase), then authentication (with satisfy any, the
 * address checks join it in one AnyOf, nginx's access phase), then request changes.
 * Mirrors come last: a request answered locally is not mirrored.
 */
export const MIDDLEWARE_ORDER: readonly Middleware['kind'][] = [
  'Refuse', 'ClientCertificateAuth', 'IPAccess', 'RequestRedirect', 'CORS', 'RateLimit', 'GlobalRateLimit', 'BasicAuth', 'DigestAuth', 'ForwardAuth', 'AnyOf', 'URLRewrite', 'RequestHeaderModifier', 'ResponseHeaderModifier',
  'LocationRewrite', 'SetCookieRewrite', 'ResponseRateLimit', 'SessionPersistence', 'ConsistentHash', 'RequestMirror',
];

/** A route's middlewares, in MIDDLEWARE_ORDER; one object per distinct value within a build (interned by key). */
export interface MiddlewareChain {
  /** Equal keys mean equal chains. */
  readonly key: string;
  readonly filters: readonly Middleware[];
}

/** Sorts filters into MIDDLEWARE_ORDER (stable within a kind) and keys them; undefined when there are none. */
export function chainOf(filters: readonly Middleware[]): MiddlewareChain | undefined {
  if (filters.length === 0) return undefined;
  const rank = (m: Middleware): number => MIDDLEWARE_ORDER.indexOf(m.kind);
  const sorted = filters.map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map(({ m }) => m);
  return { key: JSON.stringify(sorted), filters: sorted };
}

const ACCESS_KINDS: ReadonlySet<Middleware['kind']> = new Set(['IPAccess', 'BasicAuth', 'DigestAuth', 'ForwardAuth']);

/**
 * nginx `satisfy any`: the filters' access checks (address lists, Basic, Digest, forward auth) as one
 * AnyOf, in MIDDLEWARE_ORDER; unchanged when there are fewer than two (any of one is that one).
 */
export function withAnyAccess(filters: readonly Middleware[]): readonly Middleware[] {
  const checks = filters.filter((f): f is AccessCheck => ACCESS_KINDS.has(f.kind));
  if (checks.length < 2) return filters;
  const rank = (m: Middleware): number => MIDDLEWARE_ORDER.indexOf(m.kind);
  const ordered = checks.map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map(({ m }) => m);
  return [...filters.filter((f) => !ACCESS_KINDS.has(f.kind)), { kind: 'AnyOf', checks: ordered }];
}
