// The ingress-nginx front-end: an Ingress's nginx.ingress.kubernetes.io/* annotations, read once per
// object into route settings and middlewares with ingress-nginx's semantics (catalog.ts says what is
// honoured and how it differs). An invalid value is reported (InvalidAnnotation) and ignored, except
// where ignoring it would open access: then the route refuses requests with 503. Every annotation
// under the prefix that Bollard does not act on is listed in one UnsupportedAnnotation diagnostic.
import type { IngressObject } from '../../snapshot/model.ts';
import type { BackendProtocol, CanaryRule, Diagnostic, LoadBalancing, RouteTracing, SslRedirectMode } from '../types.ts';
import type { Middleware, RedirectStatus, RewriteLog } from '../middleware.ts';
import type { Parsed } from '../option-values.ts';
import { parseBackendProtocol, parseSize } from '../option-values.ts';
import { isHonoured, NGINX_PREFIX } from './catalog.ts';
import { readBasicAuth, type BasicAuthNeed } from './auth-basic.ts';
import { readForwardAuth } from './auth-forward.ts';
import { readAuthProxyHeaders, type AuthProxyHeadersNeed } from './auth-proxy-headers.ts';
import { readCanary } from './canary.ts';
import { readCors } from './cors.ts';
import { readAffinity } from './affinity.ts';
import { readBackendAnnotations, type BackendReading } from './backends.ts';
import { readRateLimit } from './rate-limit.ts';
import { readGlobalRateLimit } from './global-rate-limit.ts';
import { readLimitRate } from './limit-rate.ts';
import { readMirror } from './mirror.ts';
import { readTracing } from './tracing.ts';
import { readUpstreamHash } from './upstream-hash.ts';
import { readProxyRewrites } from './proxy-rewrites.ts';
import { readCustomHeaders, type CustomHeadersNeed } from './custom-headers.ts';
import { annotationReader, type AnnotationReader } from './reader.ts';
import { translateSnippet } from './snippets.ts';
import { parseCipherList } from './ssl-ciphers.ts';
import { readProxySsl, type ProxySslNeed } from './proxy-ssl.ts';
import { hostsOutsideTls, readAuthTls, type AuthTlsNeed } from './auth-tls.ts';
import { diagnostic } from '../diagnostics.ts';
import {
  parseAbsolutePath, parseCidrList, parseGoBoolean, parseHeaderValue, parseHostPort, parseLocation, parseRedirectCode,
  parseRewriteTarget, parseSeconds, parseWhole,
} from './values.ts';

export interface NginxReading extends BackendReading {
  readonly sslRedirect: SslRedirectMode | undefined;
  readonly backendProtocol: BackendProtocol | undefined;
  readonly loadBalancing: LoadBalancing | undefined;
  readonly readTimeoutMs: number | undefined;
  readonly maxBodyBytes: Parsed<number | undefined> | undefined;
  readonly connectTimeoutMs: number | undefined;
  readonly retries: number | undefined;
  readonly retryTimeoutMs: number | undefined;
  /** Middlewares for every route of the Ingress. */
  readonly filters: readonly Middleware[];
  /** auth-type basic: the BasicAuth middleware, once its Secret is read. */
  readonly basicAuth: BasicAuthNeed | undefined;
  /** custom-headers: a ResponseHeaderModifier, once its ConfigMap is read. */
  readonly customHeaders: CustomHeadersNeed | undefined;
  /** satisfy any: address lists and authentication are alternatives (nginx's access phase). */
  readonly satisfyAny: boolean;
  /** The controller's global auth applies: no auth-url here, and enable-global-auth is not "false". */
  readonly globalAuth: boolean;
  /** auth-proxy-set-headers: auth-url's request headers, once its ConfigMap is read; refuse: unusable. */
  readonly authProxyHeaders: AuthProxyHeadersNeed | 'refuse' | undefined;
  readonly canary: CanaryRule | undefined;
  /** rewrite-target: each route's path becomes a RegexCapture rewrite to it. */
  readonly rewriteTarget: string | undefined;
  /** from-to-www-redirect: the www / bare twin of each host redirects to it. */
  readonly wwwRedirect: boolean;
  /** ssl-passthrough, when the controller allows it. */
  readonly sslPassthrough: boolean;
  /** enable-access-log "false". */
  readonly accessLogOff: boolean;
  /** enable-opentelemetry and its companions, when any is set. */
  readonly tracing: RouteTracing | undefined;
  /** proxy-ssl-*: TLS towards HTTPS and GRPCS upstreams, once its Secret is read. */
  readonly proxySsl: ProxySslNeed | undefined;
  /** auth-tls-*: client certificates on the Ingress's spec.tls hosts (../host-client-auth.ts). */
  readonly authTls: AuthTlsNeed | undefined;
  readonly diagnostics: readonly Diagnostic[];
  /** Full names, sorted. */
  readonly unsupported: readonly string[];
}


const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
/** proxy-next-upstream-tries 0 ("no limit"): every endpoint once, as far as this bound goes. */
const EVERY_ENDPOINT = 1000;
const NEXT_UPSTREAM = /^(error|timeout|invalid_header|http_(500|502|503|504|403|404|429)|non_idempotent|off)$/;
const LOAD_BALANCE: Readonly<Record<string, LoadBalancing>> = { round_robin: 'round-robin', ewma: 'ewma' };

/** Whether the Ingress's paths are regular expressions (use-regex, or rewrite-target, which implies it). */
export function usesRegexPaths(ingress: IngressObject): boolean {
  const { annotations } = ingress;
  return parseGoBoolean(annotations[`${NGINX_PREFIX}use-regex`] ?? '')?.value === true ||
    (annotations[`${NGINX_PREFIX}rewrite-target`] ?? '') !== '';
}

/** Whether any annotation under the nginx prefix is set (the common case, none, costs one scan of the keys). */
export function hasNginxAnnotations(ingress: IngressObject): boolean {
  return Object.keys(ingress.annotations).some((name) => name.startsWith(NGINX_PREFIX));
}

/** Controller flags that decide whether an annotation may act. */
export interface NginxSettings {
  /** --enable-ssl-passthrough. */
  readonly sslPassthrough: boolean;
}

export function readNginxAnnotations(ingress: IngressObject, settings: NginxSettings = { sslPassthrough: false }): NginxReading {
  const diagnostics: Diagnostic[] = [];
  const read = annotationReader(ingress, diagnostics);
  const auth = readBasicAuth(read, ingress, diagnostics);
  const authTls = readAuthTlsChecked(read, ingress, diagnostics);
  const affinity = readAffinity(read);
  const filters: Middleware[] = [
    ...(auth !== undefined && 'refuse' in auth ? [auth.refuse] : []), ...authTls.refuse,
    ...readAccess(read), ...readRedirects(read), ...readCors(read), ...readRateLimit(read, `${ingress.namespace}/${ingress.name}`), ...readGlobalRateLimit(read, ingress), ...readForwardAuth(read), ...readRequestChanges(read, ingress), ...readLimitRate(read),
    ...affinity, ...readUpstreamHash(read, affinity.length > 0), ...readProxyRewrites(read), ...readMirror(read),
    ...readSnippet(ingress, 'configuration-snippet', diagnostics), ...readSnippet(ingress, 'server-snippet', diagnostics),
  ];
  checkAccepted(read);
  const retry = readRetries(read);
  return {
    ...readBackendAnnotations(read, ingress, diagnostics),
    sslRedirect: readSslRedirect(read),
    backendProtocol: readBackendProtocol(read),
    loadBalancing: read('load-balance', 'round_robin or ewma', (w) => (Object.hasOwn(LOAD_BALANCE, w) ? { value: LOAD_BALANCE[w] as LoadBalancing } : undefined))?.value,
    readTimeoutMs: read('proxy-read-timeout', 'whole seconds from 1 to 3600', parseSeconds)?.value,
    maxBodyBytes: read('proxy-body-size', 'a size such as 512, 64k, 8m or 1g ("0": unlimited)', parseSize),
    connectTimeoutMs: read('proxy-connect-timeout', 'whole seconds from 1 to 3600', parseSeconds)?.value,
    ...retry,
    filters,
    canary: readCanary(read),
    basicAuth: auth !== undefined && 'need' in auth ? auth.need : undefined,
    customHeaders: readCustomHeaders(read, ingress),
    satisfyAny: readSatisfy(read),
    globalAuth: readGlobalAuth(read),
    authProxyHeaders: readAuthProxyHeaders(read, ingress),
    rewriteTarget: read('rewrite-target', 'a path such as /$2 (not a URL)', parseRewriteTarget)?.value,
    wwwRedirect: read('from-to-www-redirect', '"true" or "false"', parseGoBoolean)?.value === true,
    proxySsl: readProxySsl(read, ingress),
    authTls: authTls.need,
    sslPassthrough: readSslPassthrough(read, settings, (message) => diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', message))),
    accessLogOff: read('enable-access-log', '"true" or "false"', parseGoBoolean)?.value === false,
    tracing: readTracing(read),
    diagnostics,
    unsupported: Object.keys(ingress.annotations).filter((name) => name.startsWith(NGINX_PREFIX) && !isHonoured(name.slice(NGINX_PREFIX.length))).sort(),
  };
}


/** auth-tls-*, and a report of the rule hosts they cannot act on (not in the Ingress's spec.tls). */
function readAuthTlsChecked(read: AnnotationReader, ingress: IngressObject, diagnostics: Diagnostic[]): { refuse: Middleware[]; need: AuthTlsNeed | undefined } {
  const reading = readAuthTls(read, ingress, diagnostics);
  if (reading === undefined) return { refuse: [], need: undefined };
  if ('refuse' in reading) return { refuse: [reading.refuse], need: undefined };
  const outside = hostsOutsideTls(ingress);
  if (outside.length > 0) {
    const message = `annotation ${NGINX_PREFIX}auth-tls-secret: client certificates are asked for on the hosts of the Ingress's spec.tls only, ` +
      `and ${outside.map((h) => `"${h}"`).join(', ')} ${outside.length === 1 ? 'is' : 'are'} not among them. Requests to ${outside.length === 1 ? 'that host' : 'those hosts'} are refused (503)`;
    diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', message));
  }
  return { refuse: [], need: reading.need };
}

/** The header directives of a snippet as middlewares; every other directive reported by name. */
function readSnippet(ingress: IngressObject, key: string, diagnostics: Diagnostic[]): readonly Middleware[] {
  const written = ingress.annotations[NGINX_PREFIX + key];
  if (written === undefined) return [];
  const { filters, refused } = translateSnippet(written);
  for (const problem of refused) {
    const message = `annotation ${NGINX_PREFIX}${key}: ${problem}. Bollard translates more_set_headers, add_header, proxy_set_header and more_clear_headers with plain values`;
    diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', message));
  }
  return filters;
}

/** enable-global-auth: an invalid value keeps the default, on (ignoring it opens nothing); an auth-url of the Ingress wins. */
function readGlobalAuth(read: AnnotationReader): boolean {
  const enabled = read('enable-global-auth', '"true" or "false"', parseGoBoolean, 'The global authentication applies')?.value !== false;
  return enabled && !read.has('auth-url');
}

/** satisfy: an invalid value keeps nginx's default, all (every check must pass): it opens nothing. */
function readSatisfy(read: AnnotationReader): boolean {
  return read('satisfy', '"any" or "all"', (w) => (w === 'any' || w === 'all' ? { value: w } : undefined), 'Every check must pass (all)')?.value === 'any';
}

function readSslRedirect(read: AnnotationReader): SslRedirectMode | undefined {
  const force = read('force-ssl-redirect', '"true" or "false"', parseGoBoolean)?.value;
  if (force === true) return 'always';
  const ssl = read('ssl-redirect', '"true" or "false"', parseGoBoolean)?.value;
  if (ssl === undefined) return undefined;
  return ssl ? 'with-certificate' : 'never';
}

function readBackendProtocol(read: AnnotationReader): BackendProtocol | undefined {
  return read('backend-protocol', 'HTTP, HTTPS, GRPC, GRPCS or H2C (AUTO_HTTP, AJP and FCGI are not supported)', parseBackendProtocol)?.value;
}

/** ssl-passthrough acts only with the controller flag, as in ingress-nginx; without it, it is reported. */
function readSslPassthrough(read: AnnotationReader, settings: NginxSettings, report: (message: string) => void): boolean {
  const wanted = read('ssl-passthrough', '"true" or "false"', parseGoBoolean)?.value === true;
  if (wanted && !settings.sslPassthrough) {
    report(`annotation ${NGINX_PREFIX}ssl-passthrough needs the controller flag --enable-ssl-passthrough. It is ignored`);
  }
  return wanted && settings.sslPassthrough;
}

/** Allow and deny lists; an invalid one refuses rather than opening the route. */
function readAccess(read: AnnotationReader): Middleware[] {
  const cidrs = 'a comma-separated list of addresses and CIDRs';
  const allowlist = read('allowlist-source-range', cidrs, parseCidrList, REFUSED);
  const whitelist = read('whitelist-source-range', cidrs, parseCidrList, REFUSED);
  const deny = read('denylist-source-range', cidrs, parseCidrList, REFUSED);
  const refusals = [
    ['allowlist-source-range', allowlist], ['whitelist-source-range', whitelist], ['denylist-source-range', deny],
  ] as const;
  const broken = refusals.find(([key, parsed]) => parsed === undefined && read.has(key));
  if (broken !== undefined) return [{ kind: 'Refuse', status: 503, reason: NGINX_PREFIX + broken[0] }];
  const allow = (allowlist ?? whitelist)?.value ?? [];
  const denied = deny?.value ?? [];
  return allow.length > 0 || denied.length > 0 ? [{ kind: 'IPAccess', allow, deny: denied }] : [];
}

function readRedirects(read: AnnotationReader): Middleware[] {
  const url = 'an http(s) URL or an absolute path';
  const codes = '301, 302, 303, 307 or 308';
  const out: Middleware[] = [];
  const temporal = read('temporal-redirect', url, parseLocation);
  const permanent = read('permanent-redirect', url, parseLocation);
  const temporalCode = read('temporal-redirect-code', codes, parseRedirectCode)?.value ?? 302;
  const permanentCode = read('permanent-redirect-code', codes, parseRedirectCode)?.value ?? 301;
  const chosen: [RedirectStatus, typeof temporal] | undefined =
    temporal !== undefined ? [temporalCode, temporal] : permanent !== undefined ? [permanentCode, permanent] : undefined;
  if (chosen?.[1] !== undefined) out.push({ kind: 'RequestRedirect', statusCode: chosen[0], onlyPath: undefined, location: chosen[1].value });
  const appRoot = read('app-root', 'an absolute path such as /app', parseAbsolutePath)?.value;
  if (appRoot !== undefined) {
    out.push({ kind: 'RequestRedirect', statusCode: 302, onlyPath: '/', location: [{ value: 'scheme' }, '://', { value: 'host' }, appRoot] });
  }
  return out;
}

/** Request changes: X-Forwarded-Prefix, the Connection header and the upstream Host (with enable-rewrite-log, logged). */
function readRequestChanges(read: AnnotationReader, ingress: IngressObject): Middleware[] {
  const out: Middleware[] = [];
  const prefix = read('x-forwarded-prefix', 'visible characters', parseHeaderValue)?.value;
  const connection = read('connection-proxy-header', '"keep-alive" or "close"', (w) => (w === 'keep-alive' || w === 'close' ? { value: w } : undefined))?.value;
  const set: [string, string][] = [];
  if (prefix !== undefined && prefix !== '') set.push(['x-forwarded-prefix', prefix]);
  // undici sends "keep-alive" itself and reuses the connection; "close" makes it close after the answer.
  if (connection !== undefined) set.push(['connection', connection]);
  if (set.length > 0) out.push({ kind: 'RequestHeaderModifier', set, remove: [] });
  const vhost = read('upstream-vhost', 'a host name, optionally with a port', parseHostPort)?.value;
  const log = readRewriteLog(read, ingress, vhost !== undefined);
  if (vhost !== undefined || log !== undefined) out.push({ kind: 'URLRewrite', path: undefined, hostname: vhost, ...(log === undefined ? {} : { log }) });
  return out;
}

/**
 * enable-rewrite-log "true", when the Ingress rewrites anything (the Host, or a valid rewrite-target,
 * whose URLRewrite route-chain.ts makes per route and which takes this one's log); the route is filled in there.
 */
function readRewriteLog(read: AnnotationReader, ingress: IngressObject, rewritesHost: boolean): RewriteLog | undefined {
  if (read('enable-rewrite-log', '"true" or "false"', parseGoBoolean)?.value !== true) return undefined;
  const target = ingress.annotations[`${NGINX_PREFIX}rewrite-target`];
  const rewritesPath = target !== undefined && parseRewriteTarget(target) !== undefined;
  return rewritesHost || rewritesPath ? { ingress: `${ingress.namespace}/${ingress.name}`, route: '' } : undefined;
}

function readRetries(read: AnnotationReader): Pick<NginxReading, 'retries' | 'retryTimeoutMs'> {
  const conditions = read('proxy-next-upstream', 'space-separated error, timeout, invalid_header, http_5xx/403/404/429, non_idempotent or off', (w) => {
    const items = w.split(/\s+/).filter((s) => s !== '');
    return items.length > 0 && items.every((i) => NEXT_UPSTREAM.test(i)) ? { value: items } : undefined;
  })?.value;
  const tries = read('proxy-next-upstream-tries', 'a whole number of attempts (0: every endpoint)', (w) => parseWhole(w, 0, 1000))?.value;
  const timeout = read('proxy-next-upstream-timeout', 'whole seconds (0: no limit)', (w) => parseWhole(w, 0, 3600))?.value;
  const off = conditions?.includes('off') === true;
  const retries = off ? 0 : tries === undefined ? undefined : tries === 0 ? EVERY_ENDPOINT : tries - 1;
  return { retries, retryTimeoutMs: timeout === undefined || timeout === 0 ? undefined : timeout * 1000 };
}

/** Annotations accepted without effect (documented in catalog.ts): only checked. */
function checkAccepted(read: AnnotationReader): void {
  const size = (w: string): Parsed<unknown> | undefined => parseSize(w);
  read('client-body-buffer-size', 'a size such as 8k or 1m', size);
  read('proxy-buffer-size', 'a size such as 8k or 1m', size);
  read('proxy-buffers-number', 'a whole number of buffers from 1 to 1024', (w) => parseWhole(w, 1, 1024));
  read('proxy-max-temp-file-size', 'a size such as 0, 1024m or 1g', size);
  read('proxy-http-version', '"1.0" or "1.1"', (w) => (w === '1.0' || w === '1.1' ? { value: w } : undefined));
  read('proxy-buffering', '"on" or "off"', (w) => (w === 'on' || w === 'off' ? { value: w } : undefined));
  read('proxy-request-buffering', '"on" or "off"', (w) => (w === 'on' || w === 'off' ? { value: w } : undefined));
  read('proxy-send-timeout', 'whole seconds from 1 to 3600', parseSeconds);
  read('preserve-trailing-slash', '"true" or "false"', parseGoBoolean);
  read('use-regex', '"true" or "false"', parseGoBoolean);
  // Taken by the TLS processor (ssl-ciphers.ts) for the hosts whose certificate this Ingress gives.
  read('ssl-ciphers', 'an OpenSSL cipher list that selects at least one cipher, such as ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384', parseCipherList, 'The host keeps the default ciphers');
  read('ssl-prefer-server-ciphers', '"true" or "false"', parseGoBoolean);
}
