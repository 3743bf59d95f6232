// Route options: each winning route's RouteOptions, from its Ingress's annotations over the
// controller-wide defaults (BuildOptions.defaults). Annotations are read once per Ingress. An invalid
// value is reported (InvalidAnnotation) and the default is used; the routes still serve.
//
//   bollard.io/ssl-redirect        "true" | "false" (exactly). Answer plain-HTTP requests with a 308
//                                  to https. Default: true when forceSslRedirect is set, or when
//                                  sslRedirect is (the built-in default) and the route's host has a
//                                  certificate in the TLS table (any served Ingress's spec.tls,
//                                  either the exact host or the wildcard of its parent, as SNI would
//                                  pick it), as ingress-nginx does: the redirect belongs to the host,
//                                  so an Ingress without spec.tls redirects only on a host another
//                                  Ingress gives a certificate. Rules without a host and the
//                                  defaultBackend: forceSslRedirect only.
//   bollard.io/load-balance        round-robin | least-request | ewma (exactly, lower case).
//                                  Default: round-robin.
//   bollard.io/backend-protocol    HTTP | HTTPS | H2C | GRPC | GRPCS (any case). Default: from the
//                                  Service port's appProtocol (any case): kubernetes.io/h2c → H2C,
//                                  kubernetes.io/ws → HTTP, kubernetes.io/wss → HTTPS, http → HTTP,
//                                  https → HTTPS, grpc → GRPC, grpcs → GRPCS; unset or anything else
//                                  ("http2" included: it does not say whether TLS is used) → HTTP.
//   bollard.io/proxy-read-timeout  whole seconds, 1 to 3600 (digits only: no sign, unit or fraction).
//                                  Default: 60.
//   bollard.io/proxy-body-size     an nginx size: N bytes, Nk, Nm or Ng (K, M, G too; multiples of
//                                  1024); "0" (in any unit) means unlimited. Default: unlimited.
//   bollard.io/tunnel-idle-timeout whole seconds, 1 to 86400 (digits only). An upgraded connection
//                                  (WebSocket over HTTP/1.1 or HTTP/2) quiet both ways this long
//                                  is closed. Default: 3600.
//
// The defaults above are the built-in ones (../defaults.ts); BuildOptions.defaults replaces each one it sets.
// The nginx.ingress.kubernetes.io/* annotations are read by the ingress-nginx front-end
// (../nginx/read.ts) into the same options and into middlewares (../middleware.ts); where an
// annotation of each front-end sets the same thing, the bollard.io/* one wins.
import type { IngressObject } from '../../snapshot/model.ts';
import type { BuildState, IngressEntry, RouteGroup } from '../state.ts';
import type { Claim, HostState, IngressOptions } from '../engine.ts';
import type { MiddlewareChain } from '../middleware.ts';
import type { BackendProtocol, Canary, Diagnostic, LoadBalancing, Route, RouteDefaults, RouteOptions, Upstream } from '../types.ts';
import type { Parsed } from '../option-values.ts';
import { clearDiagnostics, markDirty, setDiagnostics, touch } from '../state.ts';
import { diagnostic } from '../diagnostics.ts';
import { lookupCertificate } from '../match.ts';
import { hasNginxAnnotations, readNginxAnnotations, type NginxReading } from '../nginx/read.ts';
import { chainFor, chainWith } from '../route-chain.ts';
import { clientAuthFilter, hostClientAuthOf } from '../host-client-auth.ts';
import { authSecretSlots } from '../auth-secrets.ts';
import { customHeaderSlots } from '../custom-header-maps.ts';
import { authProxyHeaderSlots } from '../auth-proxy-header-maps.ts';
import { proxySslSecretSlots, upstreamTlsFor } from '../proxy-ssl-secrets.ts';
import { countUnsupported } from '../unsupported.ts';
import { refreshWwwRedirects } from '../www-redirects.ts';
import { refreshServerAliases } from '../server-aliases.ts';
import { errorBackendOf, sameErrorBackend } from '../error-backend.ts';
import {
  parseBackendProtocol, parseBoolean, parseIdleTimeoutSeconds, parseLoadBalancing, parseSize, parseTimeoutSeconds, protocolForAppProtocol,
} from '../option-values.ts';

interface OptionAnnotation<T> {
  readonly name: string;
  /** For messages: "use …". */
  readonly accepted: string;
  readonly parse: (written: string) => Parsed<T> | undefined;
}

export const SSL_REDIRECT: OptionAnnotation<boolean> = {
  name: 'bollard.io/ssl-redirect', accepted: '"true" or "false"', parse: parseBoolean,
};
export const LOAD_BALANCE: OptionAnnotation<LoadBalancing> = {
  name: 'bollard.io/load-balance', accepted: 'round-robin, least-request or ewma', parse: parseLoadBalancing,
};
export const BACKEND_PROTOCOL: OptionAnnotation<BackendProtocol> = {
  name: 'bollard.io/backend-protocol', accepted: 'HTTP, HTTPS, H2C, GRPC or GRPCS', parse: parseBackendProtocol,
};
export const PROXY_READ_TIMEOUT: OptionAnnotation<number> = {
  name: 'bollard.io/proxy-read-timeout', accepted: 'whole seconds from 1 to 3600', parse: parseTimeoutSeconds,
};
export const PROXY_BODY_SIZE: OptionAnnotation<number | undefined> = {
  name: 'bollard.io/proxy-body-size', accepted: '"0" (unlimited) or a size such as 512, 64k, 8m or 1g', parse: parseSize,
};
export const TUNNEL_IDLE_TIMEOUT: OptionAnnotation<number> = {
  name: 'bollard.io/tunnel-idle-timeout', accepted: 'whole seconds from 1 to 86400', parse: parseIdleTimeoutSeconds,
};
const ANNOTATION_NAMES = [SSL_REDIRECT, LOAD_BALANCE, BACKEND_PROTOCOL, PROXY_READ_TIMEOUT, PROXY_BODY_SIZE, TUNNEL_IDLE_TIMEOUT].map((a) => a.name);


/** The objects annotations name that routes are built from, each read in a slot (ingress-read-slots.ts). */
const READ_SLOTS = [authSecretSlots, proxySslSecretSlots, customHeaderSlots, authProxyHeaderSlots];

const PROTOCOL_INDEX: Readonly<Record<BackendProtocol, number>> = { HTTP: 0, HTTPS: 1, H2C: 2, GRPC: 3, GRPCS: 4 };
const PROTOCOL_COUNT = 5;

/** Options an Ingress's routes share: by redirect, HSTS (on hosts with a certificate) and protocol. */
function sharedIndex(sslRedirect: boolean, hsts: boolean, backendProtocol: BackendProtocol): number {
  return (sslRedirect ? 2 * PROTOCOL_COUNT : 0) + (hsts ? PROTOCOL_COUNT : 0) + PROTOCOL_INDEX[backendProtocol];
}

/**
 * Reads the annotations of added Ingresses (once per object), then gives each route group whose
 * winner, upstream or host certificate may have changed its Route; a Route equal to the one it has
 * is kept, and a host with a new Route is marked for assembly.
 */
export function optionsProcessor(state: BuildState): void {
  for (const entry of state.removed) {
    clearDiagnostics(state, entry.options);
    for (const slots of READ_SLOTS) slots.unlink(state, entry);
    countUnsupported(state.engine, entry.options?.unsupported, -1);
  }
  for (const entry of state.added) {
    const options = optionsOf(state, entry);
    setDiagnostics(state, options, options.diagnostics);
    for (const slots of READ_SLOTS) slots.link(state, entry);
    countUnsupported(state.engine, options.unsupported, 1);
  }
  if (state.added.length > 0 || state.removed.length > 0) {
    refreshWwwRedirects(state.engine);
    refreshServerAliases(state);
  }
  for (const slots of READ_SLOTS) slots.refresh(state);
  for (const host of state.coverage) refreshCoverage(state, host);
  const { touched } = state;
  for (let i = 0; i < touched.length; i++) settleRoute(state, touched[i] as RouteGroup);
}

/** The Ingress's options, read once per object; Ingresses without route annotations share one. */
function optionsOf(state: BuildState, entry: IngressEntry): IngressOptions {
  const { ingress } = entry;
  const { defaults } = state.context;
  if (ANNOTATION_NAMES.some((name) => ingress.annotations[name] !== undefined) || hasNginxAnnotations(ingress)) {
    entry.options ??= readAnnotations(ingress, defaults, state.context.sslPassthrough);
  } else {
    entry.options ??= state.engine.unannotated ??= {
      ...defaults, sslRedirect: undefined, backendProtocol: undefined, connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined,
      filters: [], basicAuth: undefined, customHeaders: undefined, satisfyAny: false, globalAuth: true, authProxyHeaders: undefined, canary: undefined, rewriteTarget: undefined, wwwRedirect: false, customHttpErrors: [], serverAliases: [], sslPassthrough: false, accessLogOff: false, tracing: undefined, proxySsl: undefined, authTls: undefined, unsupported: [], shared: [], chains: new Map(), diagnostics: [],
    };
  }
  return entry.options;
}

/** Both front-ends; a bollard.io/* annotation wins over the nginx one that sets the same thing. */
function readAnnotations(ingress: IngressObject, defaults: RouteDefaults, sslPassthrough: boolean): IngressOptions {
  const diagnostics: Diagnostic[] = [];
  const read = <T>(annotation: OptionAnnotation<T>): T | undefined => readAnnotation(ingress, annotation, diagnostics)?.value;
  const nginx = hasNginxAnnotations(ingress) ? readNginxAnnotations(ingress, { sslPassthrough }) : NO_NGINX;
  const ssl = read(SSL_REDIRECT);
  const bodySize = readAnnotation(ingress, PROXY_BODY_SIZE, diagnostics) ?? nginx.maxBodyBytes;
  return {
    sslRedirect: ssl === undefined ? nginx.sslRedirect : ssl ? 'always' : 'never',
    backendProtocol: first(read(BACKEND_PROTOCOL), nginx.backendProtocol),
    loadBalancing: first(read(LOAD_BALANCE), nginx.loadBalancing) ?? defaults.loadBalancing,
    readTimeoutMs: first(read(PROXY_READ_TIMEOUT), nginx.readTimeoutMs) ?? defaults.readTimeoutMs,
    maxBodyBytes: bodySize === undefined ? defaults.maxBodyBytes : bodySize.value,
    tunnelIdleTimeoutMs: read(TUNNEL_IDLE_TIMEOUT) ?? defaults.tunnelIdleTimeoutMs,
    connectTimeoutMs: nginx.connectTimeoutMs,
    retries: nginx.retries,
    retryTimeoutMs: nginx.retryTimeoutMs,
    filters: nginx.filters,
    basicAuth: nginx.basicAuth,
    customHeaders: nginx.customHeaders,
    satisfyAny: nginx.satisfyAny,
    globalAuth: nginx.globalAuth,
    authProxyHeaders: nginx.authProxyHeaders,
    canary: nginx.canary,
    rewriteTarget: nginx.rewriteTarget,
    wwwRedirect: nginx.wwwRedirect,
    customHttpErrors: nginx.customHttpErrors,
    serverAliases: nginx.serverAliases,
    sslPassthrough: nginx.sslPassthrough,
    accessLogOff: nginx.accessLogOff,
    tracing: nginx.tracing,
    proxySsl: nginx.proxySsl,
    authTls: nginx.authTls,
    unsupported: nginx.unsupported,
    shared: [],
    chains: new Map(),
    diagnostics: [...diagnostics, ...nginxDiagnostics(ingress, nginx)],
  };
}

function first<T>(ours: T | undefined, nginx: T | undefined): T | undefined {
  return ours === undefined ? nginx : ours;
}

/** An Ingress without nginx annotations. */
const NO_NGINX: NginxReading = {
  sslRedirect: undefined, backendProtocol: undefined, loadBalancing: undefined, readTimeoutMs: undefined, maxBodyBytes: undefined,
  connectTimeoutMs: undefined, retries: undefined, retryTimeoutMs: undefined, filters: [], basicAuth: undefined, customHeaders: undefined, satisfyAny: false, globalAuth: true, authProxyHeaders: undefined, canary: undefined, rewriteTarget: undefined, wwwRedirect: false,
  customHttpErrors: [], serverAliases: [], sslPassthrough: false, accessLogOff: false, tracing: undefined, proxySsl: undefined, authTls: undefined, diagnostics: [], unsupported: [],
};

/** The nginx front-end's reports, and one UnsupportedAnnotation listing what it does not act on. */
function nginxDiagnostics(ingress: IngressObject, nginx: NginxReading): Diagnostic[] {
  if (nginx.unsupported.length === 0) return [...nginx.diagnostics];
  const message = `annotations Bollard does not act on (see docs/migration.md): ${nginx.unsupported.join(', ')}`;
  return [...nginx.diagnostics, diagnostic(ingress, 'UnsupportedAnnotation', message)];
}

function readAnnotation<T>(ingress: IngressObject, annotation: OptionAnnotation<T>, diagnostics: Diagnostic[]): Parsed<T> | undefined {
  const written = ingress.annotations[annotation.name];
  if (written === undefined) return undefined;
  const parsed = annotation.parse(written);
  if (parsed === undefined) {
    const message = `annotation ${annotation.name}: ${quote(written)} is not valid; use ${annotation.accepted}. The default is used`;
    diagnostics.push(diagnostic(ingress, 'InvalidAnnotation', message));
  }
  return parsed;
}

/**
 * A host whose certificate (or nginx auth-tls) may have come, gone or changed: when SNI's answer or
 * the client-certificate settings changed, its routes are settled again.
 */
function refreshCoverage(state: BuildState, host: HostState): void {
  if (host.clientAuth !== hostClientAuthOf(state.engine, host)) for (const group of host.groups.values()) touch(state, group);
  if (host.hasCertificate === undefined) return;
  const covered = hasCertificate(state, host);
  if (covered === host.hasCertificate) return;
  host.hasCertificate = covered;
  for (const group of host.groups.values()) touch(state, group);
}

function settleRoute(state: BuildState, group: RouteGroup): void {
  const { winner, winnerSlot } = group;
  const upstream = winnerSlot?.resolution?.upstream;
  const ingress = winner?.entry.options;
  if (winner === undefined || upstream === undefined || ingress === undefined) return;
  const options = routeOptions(state, group.host, ingress, upstream);
  const middlewares = routeChain(state, group, ingress, options.sslRedirect);
  const ref = winner.entry.ref;
  const canary = canaryOf(group);
  const errorBackend = errorBackendOf(group, ingress);
  const next: Route = {
    ingress: ref, pathType: winner.pathType, path: winner.path, upstream, options, middlewares,
    ...(canary === undefined ? {} : { canary }), ...(errorBackend === undefined ? {} : { errorBackend }),
  };
  if (group.route !== undefined && sameRoute(group.route, next)) return;
  group.route = next;
  markDirty(state, group.host);
}

/** The winner's chain, with its host's client-certificate check (nginx auth-tls) when it has one. */
function routeChain(state: BuildState, group: RouteGroup, ingress: IngressOptions, sslRedirect: boolean): MiddlewareChain | undefined {
  const { engine } = state;
  const own = chainFor(engine, ingress, group.winner as Claim, state.context.globalAuth);
  const auth = hostClientAuthOf(engine, group.host);
  group.host.clientAuth = auth;
  const hostFilter = clientAuthFilter(group.host, auth, ingress, sslRedirect);
  return hostFilter === undefined ? own : chainWith(engine, own, hostFilter);
}

/** The parts that can change for one route group (its path and type are its key). */
function sameRoute(a: Route, b: Route): boolean {
  return a.upstream === b.upstream && a.options === b.options && a.middlewares === b.middlewares &&
    a.ingress.namespace === b.ingress.namespace && a.ingress.name === b.ingress.name && sameCanary(a.canary, b.canary) &&
    sameErrorBackend(a.errorBackend, b.errorBackend);
}

/** The canary's backend, when the group has a canary claim with a resolved upstream and a rule. */
function canaryOf(group: RouteGroup): Canary | undefined {
  const upstream = group.canarySlot?.resolution?.upstream;
  const rule = group.canary?.entry.options?.canary;
  if (group.canary === undefined || upstream === undefined || rule === undefined) return undefined;
  return { ingress: group.canary.entry.ref, upstream, rule };
}

function sameCanary(a: Canary | undefined, b: Canary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.upstream === b.upstream && a.rule === b.rule && a.ingress.namespace === b.ingress.namespace && a.ingress.name === b.ingress.name;
}

function routeOptions(state: BuildState, host: HostState, ingress: IngressOptions, upstream: Upstream): RouteOptions {
  host.hasCertificate ??= hasCertificate(state, host);
  const sslRedirect = sslRedirectOf(state, host.hasCertificate, ingress);
  const { hsts: hstsValue } = state.context.defaults;
  const hsts = hstsValue !== false && host.hasCertificate ? hstsValue : undefined;
  const backendProtocol = ingress.backendProtocol ?? protocolForAppProtocol(upstream.appProtocol);
  const upstreamTls = ingress.proxySsl !== undefined && (backendProtocol === 'HTTPS' || backendProtocol === 'GRPCS')
    ? upstreamTlsFor(state.engine, ingress.proxySsl, upstream)
    : undefined;
  // With upstream TLS the options depend on the upstream (its Service is the default proxy-ssl-name): not shared by protocol alone.
  if (upstreamTls !== undefined) return internOptions(state, { ...plainOptions(ingress, sslRedirect, backendProtocol, hsts), upstreamTls });
  const index = sharedIndex(sslRedirect, hsts !== undefined, backendProtocol);
  let options = ingress.shared[index];
  if (options === undefined) {
    options = internOptions(state, plainOptions(ingress, sslRedirect, backendProtocol, hsts));
    ingress.shared[index] = options;
  }
  return options;
}

function sslRedirectOf(state: BuildState, hostHasCertificate: boolean, ingress: IngressOptions): boolean {
  const { defaults } = state.context;
  const mode = ingress.sslRedirect;
  return mode === undefined
    ? defaults.forceSslRedirect || (defaults.sslRedirect && hostHasCertificate)
    : mode === 'always' || (mode === 'with-certificate' && hostHasCertificate);
}

function plainOptions(ingress: IngressOptions, sslRedirect: boolean, backendProtocol: BackendProtocol, hsts: string | undefined): RouteOptions {
  const { loadBalancing, readTimeoutMs, maxBodyBytes, tunnelIdleTimeoutMs, connectTimeoutMs, retries, retryTimeoutMs } = ingress;
  return {
    sslRedirect, loadBalancing, backendProtocol, readTimeoutMs, maxBodyBytes, tunnelIdleTimeoutMs, connectTimeoutMs, retries, retryTimeoutMs,
    ...(ingress.sslPassthrough ? { sslPassthrough: true } : {}),
    ...(ingress.accessLogOff ? { accessLog: false } : {}),
    ...(ingress.tracing === undefined ? {} : { tracing: ingress.tracing }),
    ...(hsts === undefined ? {} : { hsts }),
  };
}

/** One object per distinct RouteOptions value, so equal options are the same object in every table. */
function internOptions(state: BuildState, options: RouteOptions): RouteOptions {
  const { sslRedirect, loadBalancing, backendProtocol, readTimeoutMs, maxBodyBytes, tunnelIdleTimeoutMs, connectTimeoutMs, retries, retryTimeoutMs } = options;
  const key = `${sslRedirect}|${loadBalancing}|${backendProtocol}|${readTimeoutMs}|${maxBodyBytes ?? ''}|${tunnelIdleTimeoutMs}|` +
    `${connectTimeoutMs ?? ''}|${retries ?? ''}|${retryTimeoutMs ?? ''}|${optionalKey(options)}`;
  const interned = state.engine.routeOptions.get(key);
  if (interned !== undefined) return interned;
  state.engine.routeOptions.set(key, options);
  return options;
}

/** The key part of the options a route may lack. */
function optionalKey({ sslPassthrough, upstreamTls, accessLog, tracing, hsts }: RouteOptions): string {
  return `${sslPassthrough === true ? 'passthrough' : ''}|${upstreamTls?.key ?? ''}|${accessLog === false ? 'quiet' : ''}|${tracing?.key ?? ''}|${hsts ?? ''}`;
}

/** Whether SNI finds a certificate for the host; never for rules without a host or the default backend. */
function hasCertificate(state: BuildState, host: HostState): boolean {
  if (host.level === 'exact') return lookupCertificate(state.tls, host.host) !== undefined;
  if (host.level === 'wildcard') return state.tls.wildcards.has(host.key);
  return false;
}

/** A written value for a message: quoted, escaped, and cut short when long. */
function quote(written: string): string {
  const MAX_SHOWN = 64;
  return JSON.stringify(written.length > MAX_SHOWN ? `${written.slice(0, MAX_SHOWN)}…` : written);
}
