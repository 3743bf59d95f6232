// Every ingress-nginx annotation Bollard knows of, with what Bollard does with it: the source of
// docs/migration.md's annotation table (scripts/migration-table.ts) and of the UnsupportedAnnotation
// Event. An annotation under the prefix that is not listed here is reported as unsupported too.
export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

/** honoured: ingress-nginx's semantics; partly: accepted, with the differences noted; the rest: reported. */
export type NginxStatus = 'honoured' | 'partly' | 'not yet' | 'never';

export interface NginxAnnotationEntry {
  /** Without the prefix. */
  readonly key: string;
  readonly status: NginxStatus;
  /** Differences from ingress-nginx (honoured, partly) or why it is not honoured. */
  readonly note: string;
}

const h = (key: string, note = ''): NginxAnnotationEntry => ({ key, status: 'honoured', note });
const p = (key: string, note: string): NginxAnnotationEntry => ({ key, status: 'partly', note });
const n = (key: string, note = ''): NginxAnnotationEntry => ({ key, status: 'not yet', note });
const never = (key: string, note: string): NginxAnnotationEntry => ({ key, status: 'never', note });

const SNIPPET = 'never executed: Bollard has no nginx to run configuration in';
const PUSH = 'browsers removed HTTP/2 server push (Chrome 106, Firefox 132) and nginx 1.25.1 removed `http2_push_preload`: ignored. ' +
  '`Link: rel=preload` headers of the upstream reach the client as sent';
const OPENTRACING = 'OpenTracing is archived and ingress-nginx removed it (v1.10). Trace headers (`traceparent`, `tracestate`, `uber-trace-id`, ' +
  '`x-b3-*`) pass through Bollard untouched to the upstream, so the application\'s own tracing still joins the caller\'s trace';
const INFLUXDB = 'nothing is pushed to InfluxDB: Bollard exports Prometheus metrics (`/metrics` on the admin port), which InfluxDB or Telegraf can scrape';

export const NGINX_ANNOTATIONS: readonly NginxAnnotationEntry[] = [
  // Redirects
  h('ssl-redirect', '308 to https when the host has a certificate; `"false"` turns it off even under `--force-ssl-redirect`. `bollard.io/ssl-redirect` wins when both are set'),
  h('force-ssl-redirect', '308 to https whether or not the host has a certificate'),
  p('preserve-trailing-slash', 'accepted; Bollard\'s https redirect always keeps the path as sent'),
  h('permanent-redirect', 'the variables `$scheme`, `$host`, `$http_host`, `$request_uri`, `$uri`, `$args`, `$query_string`, `$is_args` are filled in; any other variable makes the value invalid'),
  h('permanent-redirect-code', '301, 302, 303, 307 or 308'),
  h('temporal-redirect', 'as permanent-redirect; when both are set, temporal-redirect wins'),
  h('temporal-redirect-code', '301, 302, 303, 307 or 308'),
  p('app-root', 'redirects `/` (302) on the routes of this Ingress only, where ingress-nginx redirects the host\'s `/` whichever Ingress serves it'),
  h('from-to-www-redirect', 'requests for the twin host (`www.` added or taken away) get 308 to the Ingress\'s host, path and query kept, unless the twin has routes of its own; for HTTPS the certificate must name the twin too'),
  // Paths and rewrites
  h('use-regex', 'paths of the Ingress are case-insensitive regular expressions anchored at the start (`~*`), tried longest first; on a host where one Ingress sets it, every Prefix path of the host is matched that way, as ingress-nginx does. JavaScript regular expressions, not PCRE: possessive quantifiers and atomic groups are refused'),
  h('rewrite-target', 'implies use-regex. The whole path sent upstream becomes the target with `$1`…`$9` from the route\'s path; the query is kept. The regex runs on the path as sent (still percent-encoded), not on the decoded one'),
  h('x-forwarded-prefix', 'sent as the `X-Forwarded-Prefix` request header'),
  // Bodies and buffering
  h('proxy-body-size', 'larger `Content-Length`: 413 before anything is sent upstream; larger chunked or HTTP/2 body: cut off at the limit. `bollard.io/proxy-body-size` wins when both are set'),
  p('client-body-buffer-size', 'accepted and checked; Bollard never buffers request bodies to disk, it streams them'),
  p('proxy-buffering', 'accepted and checked; responses are always streamed (nginx\'s `off`)'),
  p('proxy-request-buffering', 'accepted and checked; request bodies are always streamed (nginx\'s `off`)'),
  p('proxy-buffer-size', 'accepted and checked; the response head limit is the controller-wide one'),
  p('proxy-buffers-number', 'accepted and checked; Bollard holds no response buffers to count: responses are streamed'),
  p('proxy-max-temp-file-size', 'accepted and checked; responses are streamed, never spooled to a temporary file (nginx\'s `0`)'),
  // Timeouts and retries
  h('proxy-connect-timeout', 'whole seconds, 1 to 3600'),
  h('proxy-read-timeout', 'whole seconds, 1 to 3600: the wait for the response head and between body chunks. `bollard.io/proxy-read-timeout` wins when both are set'),
  p('proxy-send-timeout', 'accepted and checked; sending the request body is bounded by the client request timeout (`--client-request-timeout-seconds`) instead'),
  p('proxy-next-upstream', '`off` stops retries; `error` and `timeout` mean Bollard\'s retry of a failed connect for an idempotent request without a body; `http_*`, `invalid_header` and `non_idempotent` are accepted and have no effect'),
  h('proxy-next-upstream-tries', 'attempts in all, first included; `0` means every endpoint once'),
  h('proxy-next-upstream-timeout', 'whole seconds; no retry starts after it; `0` means no limit'),
  // Upstreams
  h('backend-protocol', '`HTTP`, `HTTPS`, `GRPC`, `GRPCS`, `H2C` (any case); `AUTO_HTTP`, `AJP` and `FCGI` are reported and HTTP is used. `bollard.io/backend-protocol` wins when both are set'),
  h('load-balance', '`round_robin` and `ewma`; `bollard.io/load-balance` wins when both are set'),
  h('upstream-vhost', 'the Host header sent upstream'),
  p('proxy-ssl-secret', 'for `backend-protocol` HTTPS and GRPCS: `tls.crt` with `tls.key` is the client certificate shown to the upstream, `ca.crt` the CA it is verified with (either or both; type `kubernetes.io/tls` or Opaque). A Secret of the Ingress\'s namespace only (`name` or `namespace/name` with that namespace), where ingress-nginx also reads other namespaces. A missing or unusable Secret is reported (InvalidProxySSLSecret) and the upstream is reached without it, which fails with 502 when proxy-ssl-verify is on'),
  h('proxy-ssl-verify', '`on` verifies the upstream\'s chain against the Secret\'s `ca.crt` (the public roots without one) and its name; a failure is 502. `off` (default): not verified'),
  h('proxy-ssl-verify-depth', 'default 1: at most this many certificates above the upstream\'s own in its verified chain, the root included (1: signed by the CA directly)'),
  p('proxy-ssl-name', 'the name verified; default the Service\'s DNS name `<service>.<namespace>.svc`, where nginx\'s default is the upstream\'s name in its configuration'),
  h('proxy-ssl-server-name', '`on` sends proxy-ssl-name as SNI; `off` (default) sends none'),
  h('proxy-ssl-ciphers', 'an OpenSSL cipher list, for TLS 1.2; a list that selects no cipher is reported and the default is used'),
  p('proxy-ssl-protocols', '`TLSv1.2` and `TLSv1.3`, space-separated (default both); `TLSv1` and `TLSv1.1` are accepted and dropped (Node\'s OpenSSL refuses them), a list of only those is invalid. Node sets a lowest and a highest version, so a list is the range between them'),
  h('service-upstream', 'the route\'s one endpoint is the Service\'s cluster IP and port (kube-proxy balances, so load-balance, affinity and passive health see one endpoint); a headless Service has none, so its endpoints are used, as ingress-nginx falls back; an ExternalName Service keeps its name'),
  h('upstream-hash-by', 'text and nginx variables in any combination (`$request_uri`, `$host$request_uri`, `${request_uri}-v2`): `$request_uri`, `$uri`, `$args`/`$query_string`, `$is_args`, `$host`, `$scheme`, `$request_method`, `$remote_addr` and `$binary_remote_addr` (the client address after `--trusted-proxies`), `$http_<name>`, `$cookie_<name>`, `$arg_<name>`; another variable, or text without any, is reported and the route balances as load-balance says. The key picks the endpoint on a hash ring of the Service\'s ready endpoints (160 points each, the ring of affinity-mode balanced), so one key goes to one endpoint on every replica and adding the N-th endpoint moves about 1/N of the keys; while the key\'s endpoint is ejected by passive health, or failed in this request, the next one on the ring serves. The ring is Bollard\'s, so keys land on other endpoints than under ingress-nginx. `$request_uri` is the path and query as sent, before rewrite-target (nginx hashes after its rewrite, which changes `$uri` only). It wins over load-balance; affinity: cookie wins over it, as in ingress-nginx. WebSocket upgrades are hashed too'),
  h('upstream-hash-by-subset', '`"true"`: the key picks a subset of the endpoints and each request goes to one of its members at random, as ingress-nginx\'s chashsubset (subsets cut in the endpoints\' order, the last one filled up from the first endpoints; with fewer endpoints than the size, one subset of them all)'),
  h('upstream-hash-by-subset-size', 'default 3; 1 to 1000'),
  p('proxy-http-version', 'accepted and checked; Bollard speaks HTTP/1.1 to HTTP upstreams whatever the value (`1.0`, which nginx uses to turn keep-alive off, is not honoured: connections are reused)'),
  h('proxy-cookie-domain', '`off` (default), or `<domain> <replacement>`: a Set-Cookie of the upstream\'s whose Domain equals the domain (any case, a leading dot ignored on both and kept on the cookie) gets the replacement instead, as nginx\'s `proxy_cookie_domain`. A domain starting with `~` (`~*`: any case) is a regular expression (JavaScript, unanchored): a matching Domain becomes the replacement'),
  h('proxy-cookie-path', '`off` (default), or `<path> <replacement>`: a Set-Cookie Path that starts with the path (case-sensitive) gets the replacement in place of that start, as nginx\'s `proxy_cookie_path` (`/ /app/` turns `Path=/x` into `Path=/app/x`); `~` and `~*` as for proxy-cookie-domain'),
  h('proxy-redirect-from', 'with proxy-redirect-to, nginx\'s `proxy_redirect <from> <to>`: a Location, or the URL of a Refresh (`5; url=…`), of the upstream\'s answer that starts with the text (case-sensitive) gets proxy-redirect-to in place of that start; after `~` (`~*`: any case) it is a regular expression (JavaScript, unanchored) and a matching value becomes proxy-redirect-to as a whole. Applied before the route\'s own response headers (custom-headers, snippets). `off` (default) and `default` rewrite nothing: in ingress-nginx `default` stands for its internal `http://upstream_balancer/`, which no upstream sends. Without proxy-redirect-to nothing is rewritten, as in ingress-nginx'),
  h('proxy-redirect-to', 'the replacement for proxy-redirect-from; `off` (default) turns the rewrite off'),
  h('connection-proxy-header', '`keep-alive` or `close`, the Connection header sent upstream for HTTP/1.1 (undici\'s only two). `keep-alive` is what Bollard sends anyway (connections are reused); `close` closes the upstream connection after each answer. HTTP/2 upstreams (H2C, GRPC, GRPCS) have no Connection header. A WebSocket upgrade keeps `Connection: upgrade`, where nginx would send the annotation\'s value and break it'),
  // Access
  h('whitelist-source-range', 'the client address is the peer\'s, or with `--trusted-proxies` the last untrusted one in X-Forwarded-For; 403 outside the ranges. An invalid range refuses every request with 503 instead of opening the route'),
  h('allowlist-source-range', 'as whitelist-source-range, which it replaces; allowlist wins when both are set'),
  h('satisfy', '`any`: the checks of nginx\'s access phase become alternatives: the address lists (whitelist/allowlist and denylist-source-range together, as nginx\'s allow/deny rules are one check: a denied address with valid credentials is let in, and a deny list alone lets nobody in by itself), auth-type basic or digest, and auth-url; the first that lets the request in ends it, so the authentication service is not asked for an allowed address. When none does: 401 (or auth-signin\'s redirect) if an authentication said so, else 403; a failed authentication service is 500 at once. Client certificates (auth-tls-*) and rate limits are not in the access phase and still apply; a misconfigured auth annotation still refuses (503). `all` (default): every check must pass; an invalid value means `all`'),
  h('denylist-source-range', '403 inside the ranges; checked before the allowlist. An invalid range refuses every request with 503'),
  // CORS
  h('enable-cors', 'preflights (OPTIONS with a matching or any Origin) are answered 204 by Bollard; other responses get the CORS headers when the Origin matches. An echoed origin adds `Vary: Origin`'),
  h('cors-allow-origin', '`*`, or a comma-separated list of `scheme://host[:port]`, with one-label wildcards (`https://*.example.com`)'),
  h('cors-allow-methods'), h('cors-allow-headers'), h('cors-expose-headers'), h('cors-allow-credentials'), h('cors-max-age'),
  // Basic and digest authentication
  h('auth-type', '`basic`, or `digest` (RFC 7616 with MD5 and qop `auth`, as nginx\'s digest module: a nonce is good for 60 s from the challenge and 20 requests, then the client gets `stale=true` and retries without asking its user; nonces are checked without shared state, so any replica takes another\'s, and a replayed nonce count is caught per data-plane process). Unusable settings (no auth-secret, an invalid value) refuse the routes (503): they never serve unauthenticated. A CORS preflight and a redirect annotation are answered before authentication, as nginx does'),
  h('auth-secret', 'a Secret of type Opaque in the Ingress\'s namespace (`name` or `namespace/name` with that namespace; ingress-nginx also reads other namespaces, Bollard refuses them). basic: htpasswd hashes bcrypt, apr1-MD5 and SHA-1 (`htpasswd -B`, `-m`, `-s`); users with other hashes are dropped and reported. digest: htdigest lines (`user:realm:HA1`, as `htdigest` writes them) of the auth-realm; a Secret without a user of the realm is reported. A missing Secret refuses the routes (503). Without auth-type it does nothing, as in ingress-nginx'),
  h('auth-secret-type', '`auth-file` (the key `auth` holds an htpasswd or htdigest file; the first line of a user wins) or `auth-map` (one key per user; for digest the value is `realm:HA1`)'),
  h('auth-realm', 'sent in the `WWW-Authenticate` challenge; default empty. For digest it also picks the Secret\'s lines, as the HA1 depends on it'),
  // Forward authentication
  h('auth-url', 'the request\'s headers (not its body) go to the URL first, with `X-Original-URL`, `X-Original-Method`, `X-Sent-From`, `X-Real-IP`, `X-Auth-Request-Redirect`; `X-Forwarded-For` is the client address only (after `--trusted-proxies`), and `X-Forwarded-Host`/`-Proto` are set rather than cleared. 2xx lets the request through; 401 and 403 are passed on (401 with the service\'s `WWW-Authenticate`); anything else, or no answer within 15 s, is 500. Variables as in permanent-redirect, plus `$escaped_request_uri`. An invalid URL refuses the routes (503)'),
  h('auth-method', 'GET (default), HEAD, POST, PUT, PATCH, DELETE or OPTIONS; an invalid value refuses the routes (503)'),
  h('auth-signin', 'a 401 from the service becomes a 302 here, with `rd=<scheme>://<host><escaped request URI>` added unless the URL has it already'),
  h('auth-signin-redirect-param', 'the name of the parameter auth-signin adds (default `rd`)'),
  h('auth-response-headers', 'these headers of the service\'s 2xx answer are set on the request sent upstream'),
  h('auth-request-redirect', 'the value of `X-Auth-Request-Redirect` sent to the service (default: the request URI)'),
  p('auth-proxy-set-headers', 'the ConfigMap (`namespace/name`, or `name`) whose entries are request headers sent to auth-url\'s service, values with the variables of permanent-redirect filled in (nginx would take any of its variables). Only a ConfigMap of the Ingress\'s own namespace, where ingress-nginx reads any. As ingress-nginx denies the location, a missing ConfigMap (ConfigMapNotFound) or an entry that cannot be sent (a name other than letters, digits, `-` and `_`, `Host` or a framing header, another variable; InvalidAuthProxyHeaders) refuses the routes (503). A changed ConfigMap takes effect at the next table build. Without auth-url it does nothing'),
  h('auth-always-set-cookie', 'the service\'s `Set-Cookie` reaches the client as nginx\'s `add_header` sends it: by default with 2xx and 3xx answers only (the upstream\'s, and auth-signin\'s redirect); `"true"` with every answer, the service\'s 401 and 403 passed on and upstream errors included. Bollard\'s own 502/504 after a failed forward do not carry it'),
  p('auth-cache-key', 'the service\'s answers are kept in each data-plane process (nginx: per pod), at most 10,000, under the key with the request\'s values filled in, per route and host asked for (nginx: per server and location). Variables: `$http_*`, `$cookie_*`, `$remote_user`, `$remote_addr`, `$request_method` and those of permanent-redirect; another makes the value invalid (reported, nothing cached). As nginx\'s proxy_cache, an answer with `Set-Cookie` or `Cache-Control: no-store`, `no-cache` or `private` is not kept and `max-age` (`s-maxage` first) replaces the time; `Expires` and `X-Accel-Expires` are not read. Lookups are counted in `bollard_auth_cache_lookups_total`'),
  h('auth-cache-duration', 'comma-separated `[codes…|any] time…` entries as proxy_cache_valid (times in ms, s, m, h, d, w, M, y add up; a time alone means 200, 301 and 302; the first entry listing the status wins); default `200 202 401 5m`. An invalid value is reported and nothing is cached, where ingress-nginx refuses the location'),
  p('auth-keepalive', 'above 0: the service is reached through an undici pool of its own, kept alive with auth-keepalive-requests and -timeout; the number itself bounds nothing, as undici keeps every idle connection until the timeout, where nginx keeps at most that many idle. 0 (default): the shared pool, which also reuses connections where nginx opens one per check. As in ingress-nginx it is off when the URL\'s host has a variable; unlike ingress-nginx (which then sends GET and accepts only 200, and skips keep-alive when HTTP/2 is on, its default), auth-method and 2xx still apply'),
  h('auth-keepalive-requests', 'requests per connection before it is closed (default 1000); 0 or less turns auth-keepalive off'),
  h('auth-keepalive-timeout', 'seconds an idle connection is kept (default 60); 0 or less turns auth-keepalive off'),
  p('auth-keepalive-share-vars', 'Bollard has no nginx variables; what it shares is the `X-Request-ID` (the example ingress-nginx gives): the service gets the one the upstream gets, always without auth-keepalive (nginx\'s auth_request shares it too), and with it only when this is `"true"`'),
  h('enable-global-auth', 'the global authentication is the controller\'s `--global-auth-url` with `--global-auth-method`, `-signin`, `-response-headers`, `-request-redirect`, `-always-set-cookie`, `-cache-key` and `-cache-duration` (ingress-nginx\'s `global-auth-*` ConfigMap keys, as flags; there is no `global-auth-snippet`). It guards every route of every Ingress, as ingress-nginx every location, unless the Ingress says `"false"` or has an auth-url of its own (that wins); an invalid value keeps it on. Routes whose path starts with `/.well-known/acme-challenge` (cert-manager\'s solver Ingresses) do not get it, as ingress-nginx\'s `no-auth-locations` default. Gateway API routes do not get it'),
  // Canary
  h('canary', 'the Ingress gives the route of the main Ingress with the same host, path type and path a second backend; its other annotations are not used (the main Ingress\'s apply). Without a main Ingress it is not served (CanaryWithoutMain); a second canary of one route is reported and unused. A host claimed by canaries only answers 404'),
  h('canary-by-header', '`always` / `never` decide; other values fall through to the cookie and the weight'),
  h('canary-by-header-value', 'an exact match sends to the canary; anything else falls through'),
  h('canary-by-header-pattern', 'a JavaScript regular expression (not PCRE), unanchored as nginx\'s `ngx.re.match`; ignored when canary-by-header-value is set'),
  h('canary-by-cookie', '`always` / `never` decide; checked after the header'),
  h('canary-weight', 'requests out of canary-weight-total, drawn per request (no stickiness), per replica'),
  h('canary-weight-total', 'default 100'),
  // Sticky sessions
  h('affinity', '`cookie`: a request carrying the session cookie goes to the endpoint it leads to (affinity-mode), whatever load-balance says; a request without one goes where the balancer picks and the answer sets the cookie. Its value is opaque (not the address) and means the same on every replica. A WebSocket upgrade carrying the cookie goes to its endpoint as well; the 101 answer sets no cookie'),
  h('affinity-mode', '`balanced` (default): the cookie holds a position on a hash ring of the Service\'s ready endpoints (160 points each), so when the N-th endpoint is added about 1/N of the sessions move to it and none move between the others; while a session\'s endpoint is ejected by passive health it goes to the next endpoint on the ring and comes back after. ingress-nginx places new sessions at random on its ring; Bollard lets load-balance pick and writes a position that endpoint owns. `persistent`: the cookie names the endpoint, and the session stays there while it is ready and not ejected (after that the balancer picks and the cookie moves). Each mode reads the other\'s cookie, so changing the mode moves no session'),
  h('session-cookie-name', 'default `INGRESSCOOKIE`'),
  h('session-cookie-path', 'default the route\'s path; for a regex path, its literal start up to the last `/`'),
  h('session-cookie-max-age', 'whole seconds, sent as `Max-Age`; without it and session-cookie-expires the cookie lasts the browser session'),
  h('session-cookie-expires', 'whole seconds from when the cookie is set, sent as `Expires`'),
  h('session-cookie-samesite', '`None`, `Lax` or `Strict` (any case)'),
  h('session-cookie-secure', '`Secure` on plain HTTP too; on HTTPS it is always set. `HttpOnly` is always set'),
  h('session-cookie-change-on-failure', 'when the cookie\'s endpoint fails and another serves the request, `true` points the cookie at that one; `false` (default) leaves it, so the next request tries the cookie\'s endpoint again. With affinity-mode balanced, `true` also moves the cookie when the session detours around an ejected endpoint'),
  h('session-cookie-domain', 'the cookie\'s `Domain` (lower-cased); without it the cookie belongs to the host asked for'),
  h('session-cookie-conditional-samesite-none', '`"true"`: `SameSite=None` is left out for the user agents ingress-nginx leaves it out for (Chrome 40 to 69, as its `Chrome/4`, `Chrome/5`, `Chrome/6` match says; iOS 12; Safari on macOS 10.14), which reject or mis-read cookies carrying it'),
  h('affinity-canary-behavior', 'on the canary Ingress. `sticky` (default): the canary uses the main Ingress\'s affinity, so a session it served stays with it while the cookie is sent (the cookie\'s value ends in `-c`); `legacy`: answers from the canary set no cookie and a canary cookie is not followed. Either way a request whose cookie leads to the main backend stays there, whatever canary-by-header, -cookie or -weight say, as in ingress-nginx. An invalid value means `sticky`'),
  // Rate limits
  h('limit-rps', 'requests per second per client address (after `--trusted-proxies`); a burst of rps × limit-burst-multiplier is served at once (nginx\'s `nodelay`), the rest get `--limit-rejection-status` (default 503, as ingress-nginx). Counted in each data-plane process: with W workers and R replicas a client may get up to W × R times the rate, where ingress-nginx counts per pod. `0` means no limit'),
  h('limit-rpm', 'as limit-rps, per minute; both apply when both are set'),
  h('limit-connections', 'requests of one client address in progress at once (per data-plane process, as limit-rps); over it, `--limit-rejection-status`. An HTTP/2 stream counts as one, as in nginx; a WebSocket upgrade counts only until it is decided'),
  h('limit-burst-multiplier', 'default 5'),
  h('limit-whitelist', 'addresses and CIDRs never limited'),
  h('limit-allowlist', 'as limit-whitelist, which it replaces; allowlist wins when both are set'),
  h('limit-rate', 'kilobytes (1024 bytes) per second of response body to the client, per request, as nginx\'s `limit_rate`: by t seconds after forwarding began, at most limit-rate-after + limit-rate × (t + 1) have gone out (nginx grants the first second at once); `0` means no limit. Responses are streamed, not buffered, so it works whatever proxy-buffering says (ingress-nginx needs proxy-buffering on); the upstream is paused while the client waits. Response headers are not counted (nginx counts them). Not affected by limit-whitelist, as in ingress-nginx'),
  h('limit-rate-after', 'kilobytes of the response body sent before limit-rate applies; without limit-rate it does nothing'),
  // TLS
  h('ssl-passthrough', 'with `--enable-ssl-passthrough` only (otherwise reported and ignored, as ingress-nginx ignores it without its flag). A TLS connection whose server name is exactly one of the Ingress\'s hosts goes unterminated, ClientHello included, to an endpoint of that host\'s `/` route; it lives as a tunnel: counted in `bollard_tls_passthrough_connections_total` and `bollard_tunnels_open`, one access-log line when it closes (method `TLS-PASSTHROUGH`, bytes both ways), closed after the route\'s tunnel idle timeout (`bollard.io/tunnel-idle-timeout`, where nginx\'s stream timeout is 600 s) or at the end of the drain period. Wildcard hosts do not pass through; plain HTTP to the host is still served by the routes'),
  p('ssl-ciphers', 'an OpenSSL cipher list for the hosts whose certificate this Ingress\'s spec.tls gives (the served one), in place of `--tls-ciphers`; a list that selects no cipher is reported and the host keeps the default. It governs TLS 1.2: as in nginx, TLS 1.3 suites keep their defaults, unless the list names `TLS_*` suites, which Node then uses as the TLS 1.3 suites'),
  p('ssl-prefer-server-ciphers', '`true`: the server\'s cipher order wins (OpenSSL\'s server preference), for the same hosts as ssl-ciphers; `false` (default) leaves the client\'s order'),
  // Client certificates
  h('auth-tls-secret', 'a Secret of the Ingress\'s namespace (`name` or `namespace/name`, as ingress-nginx without `allow-cross-namespace-resources`), any type, with `ca.crt` and optionally `ca.crl` (then every CA of a client\'s chain needs its CRL, as in nginx). The check belongs to the host, as in ingress-nginx: each host of the Ingress\'s spec.tls takes the settings of the oldest Ingress claiming it that has them, and every route of the host runs them, whichever Ingress gives it; an Ingress with other settings for the host is reported (Conflict). A rule host that is not in the Ingress\'s spec.tls is reported and its routes answer 503. A missing or unusable Secret is reported (AuthSecretNotFound, InvalidAuthSecret) and the host\'s routes answer 503 (ingress-nginx: 403) until it is fixed. Upstreams get `ssl-client-verify` (`SUCCESS`, `NONE`, `FAILED:reason`), `ssl-client-subject-dn` and `ssl-client-issuer-dn` (RFC 2253), those sent by the client replaced. Plain HTTP is redirected to https as usual; with ssl-redirect off it counts as a request without a certificate (ingress-nginx serves it unchecked)'),
  h('auth-tls-verify-client', '`on` (the default; an invalid value also means `on`, as in ingress-nginx), `off`, `optional`, `optional_no_ca`. As nginx, the handshake asks for a certificate and completes without one; the request is refused with 400: with `on` when no certificate was sent or it failed verification, with `optional` when it failed. `optional_no_ca` lets every request through with the verdict in `ssl-client-verify`; `off` does not ask'),
  h('auth-tls-verify-depth', 'default 1 (also for `0`, as in ingress-nginx): at most this many certificates above the client\'s own in its verified chain, the root included (1: signed by a CA of `ca.crt` directly); a deeper chain fails verification (`FAILED:certificate chain too long`)'),
  p('auth-tls-error-page', 'an http(s) URL or an absolute path: a failed verification gets a 302 there instead of the 400, as nginx\'s `error_page 495 496 =`; a path is redirected to on the same host, where nginx serves it internally. The 403 of auth-tls-match-cn is not redirected, as in nginx'),
  h('auth-tls-pass-certificate-to-upstream', '`"true"`: the `ssl-client-cert` request header, the client\'s certificate in PEM URL-encoded as nginx\'s `$ssl_client_escaped_cert` (everything but letters, digits and `-._~` as `%XX`)'),
  p('auth-tls-match-cn', 'as in ingress-nginx the value starts with `CN=` and is a regular expression searched (unanchored, case-sensitive) in the subject DN in RFC 2253 form (`CN=client,O=Org`); no match, or no certificate: 403. JavaScript regular expressions, not PCRE: a value that does not compile is reported and the routes answer 503'),
  // Not yet
  n('global-rate-limit'), n('global-rate-limit-window'), n('global-rate-limit-key'), n('global-rate-limit-ignored-cidrs'),
  p('custom-http-errors', 'needs default-backend on the same Ingress (Bollard has no controller-wide default backend; without it the annotation is reported and ignored). An upstream answer with a listed status (400 to 599), or Bollard\'s own 502/503/504 when forwarding fails, is replaced by the default backend\'s answer, status included: it is asked for `/` with the request\'s method and headers (not its body) and `X-Code`, `X-Format` (the Accept header), `X-Original-URI`, `X-Namespace`, `X-Ingress-Name`, `X-Service-Name`, `X-Service-Port` and `X-Request-ID`. Bollard\'s own refusals (401, 403, 413, rate limits) are not replaced. When the default backend has no ready endpoints the upstream\'s answer is passed on'),
  h('default-backend', 'a Service in the Ingress\'s namespace, its first port, spoken to in HTTP (or what its port\'s appProtocol says): it serves the Ingress\'s routes while their Service has no ready endpoints, and custom-http-errors\' answers. A missing Service is reported (ServiceNotFound) and the routes answer 503 as without it'),
  h('server-alias', 'more host names for the Ingress\'s first exact host, served by all of that host\'s routes (as nginx\'s `server_name`). A name with rules of its own keeps them, and a name an older Ingress already aliases stays its: both reported (Conflict). No wildcards. For HTTPS a certificate must name the alias (a `spec.tls` entry)'),
  h('custom-headers', 'the ConfigMap (`namespace/name`, or `name`) whose data are response headers sent to the client with the upstream\'s answers, replacing the upstream\'s own (nginx\'s `more_set_headers`); Bollard\'s own answers (401, redirects, 503) do not get them. Only a ConfigMap of the Ingress\'s own namespace, where ingress-nginx reads any; and ingress-nginx only sends the headers its `global-allowed-response-headers` lists, which Bollard has no equivalent of: any header is sent except those about the connection or framing (`Connection`, `Content-Length`, `Transfer-Encoding`, …), which are left out and reported (InvalidCustomHeaders). A missing ConfigMap is reported (ConfigMapNotFound) and the annotation ignored until it exists; a changed ConfigMap takes effect at the next table build (ingress-nginx needs a restart)'),
  h('mirror-target', 'an http(s) URL: every request to the Ingress\'s routes that is forwarded (not one Bollard answers itself) is copied there, fire-and-forget: the answer is thrown away, a failure is only counted (`bollard_mirror_requests_total`), and the client\'s answer never waits for the mirror (nginx holds the request until its mirror answers). The URL\'s host is resolved when a connection opens by the data plane\'s resolver — in a Pod, cluster DNS, so `http://shadow.ns.svc.cluster.local:8080` (or `shadow.ns`) reaches the Service\'s cluster IP and kube-proxy picks the Pod; a name outside the cluster works as well. HTTPS copies are not verified and carry the URL\'s name as SNI. Its path may use `$request_uri`, `$uri`, `$args` (`$query_string`), `$is_args` and `$host` (the request\'s as sent upstream, before rewrite-target); another variable makes the value invalid (reported, nothing mirrored). As nginx: a URL with variables asks for exactly what they make, one with a path but no variables for that path with the request\'s query. A URL without a path asks for the path and query the upstream gets, where nginx asks for its internal `/_mirror-<uid>`. The copy carries the request\'s method and headers as forwarded (X-Forwarded-*, X-Request-ID), Host from mirror-host, and the body teed as it streams (a mirror more than 1 MiB behind loses its copy)'),
  h('mirror-request-body', '`on` (default) or `off`: the copy goes with an empty body (the client\'s Content-Length is not passed on)'),
  h('mirror-host', 'the Host header of the copy; default the mirror-target\'s host without its port, as ingress-nginx'),
  never('http2-push-preload', PUSH),
  h('enable-rewrite-log', '`"true"`: each request whose path rewrite-target changes, or whose Host upstream-vhost changes, is one JSON log line of the data plane (level `info`, so not with `--log-level warn`; msg `rewrite`, with `ingress`, `route`, `host`, `path` and `rewrittenPath` with the query, and `rewrittenHost`), where nginx writes each rewrite rule\'s verdict, match or not, to its error log at notice level. Requests the rewrite leaves as they are get no line; app-root and the other redirects are not rewrites, nor is x-forwarded-prefix'),
  h('enable-access-log', '`"false"`: no access-log line for the Ingress\'s requests; they are still counted in the request metrics'),
  never('enable-opentracing', OPENTRACING), never('opentracing-trust-incoming-span', OPENTRACING),
  h('enable-opentelemetry', '`"true"` traces the Ingress\'s requests, `"false"` does not, whatever `--otel-enabled` says (ingress-nginx\'s ConfigMap key `enable-opentelemetry`). Each request gets one server span (W3C trace context: the upstream is sent a `traceparent` naming it as parent, `tracestate` passed on), exported over OTLP/HTTP to `--otel-endpoint`, where ingress-nginx speaks OTLP/gRPC to `otlp-collector-host`; without `--otel-endpoint` nothing is traced. Requests Bollard answers itself (redirects, 401/403, 503) are traced too; WebSocket upgrades and TLS passthrough are not'),
  h('opentelemetry-trust-incoming-span', '`"true"` (the default, `--otel-trust-incoming-span`): a valid `traceparent` from the client becomes the span\'s parent, its trace continued and its `tracestate` passed on; `"false"`: every request starts a new trace and the client\'s `traceparent` and `tracestate` are not sent upstream'),
  h('opentelemetry-operation-name', 'the span\'s name: letters, digits, `_` and `-`, as ingress-nginx checks it; default `<method> <path>` (the Ingress path, OpenTelemetry\'s HTTP `{method} {http.route}`)'),
  p('opentelemetry-propagation-type', '`w3c` only: `b3` is reported and W3C trace context is used'),
  never('enable-influxdb', INFLUXDB), never('influxdb-measurement', INFLUXDB), never('influxdb-port', INFLUXDB), never('influxdb-host', INFLUXDB),
  never('influxdb-server-name', INFLUXDB),
  // Never
  p('configuration-snippet', `${SNIPPET}. Its \`more_set_headers\`, \`add_header\` (always, whatever the status), \`proxy_set_header\` and \`more_clear_headers\` with plain values become header middlewares; every other directive, and one using variables, is reported by name (InvalidAnnotation)`),
  p('server-snippet', 'as configuration-snippet, for the routes of this Ingress only (not the whole server)'),
  never('auth-snippet', SNIPPET),
  never('stream-snippet', SNIPPET), never('modsecurity-snippet', SNIPPET),
  never('enable-modsecurity', 'no web application firewall in Bollard'), never('enable-owasp-core-rules', 'no web application firewall in Bollard'),
  never('modsecurity-transaction-id', 'no web application firewall in Bollard'),
];

const BY_KEY: ReadonlyMap<string, NginxAnnotationEntry> = new Map(NGINX_ANNOTATIONS.map((e) => [e.key, e]));

/** Whether Bollard acts on the annotation (honoured or partly). */
export function isHonoured(key: string): boolean {
  const status = BY_KEY.get(key)?.status;
  return status === 'honoured' || status === 'partly';
}

export function lookupNginxAnnotation(key: string): NginxAnnotationEntry | undefined {
  return BY_KEY.get(key);
}
