// Route options: each winning route's RouteOptions, from its Ingress's annotations over the
// controller-wide defaults (BuildOptions.defaults). Annotations are read once per Ingress. An invalid
// value is reported (InvalidAnnotation) and the default is used; the routes still serve.
//
//   bollard.io/ssl-redirect        "true" | "false" (exactly). Answer plain-HTTP requests with a 308
//                                  to https. Default: true when forceSslRedirect is set, or when the
//                                  route's host has a certificate in the TLS table (any served
//                                  Ingress's spec.tls, either the exact host or the wildcard of its
//                                  parent, as SNI would pick it), as ingress-nginx does. Rules
//                                  without a host and the defaultBackend: forceSslRedirect only.
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
//
// The defaults above are the built-in ones; BuildOptions.defaults replaces each one it sets.
import type { IngressObject } from '../../snapshot/model.ts';
import type { BuildState, ResolvedRoute, TableRoute } from '../state.ts';
import type { BackendProtocol, BuildOptions, LoadBalancing, RouteDefaults, RouteOptions, TlsTable } from '../types.ts';
import type { Parsed } from '../option-values.ts';
import { report } from '../state.ts';
import { lookupCertificate } from '../match.ts';
import {
  parseBackendProtocol, parseBoolean, parseLoadBalancing, parseSize, parseTimeoutSeconds, protocolForAppProtocol,
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
const ANNOTATION_NAMES = [SSL_REDIRECT, LOAD_BALANCE, BACKEND_PROTOCOL, PROXY_READ_TIMEOUT, PROXY_BODY_SIZE].map((a) => a.name);

export const BUILT_IN_DEFAULTS: RouteDefaults = {
  forceSslRedirect: false,
  loadBalancing: 'round-robin',
  readTimeoutMs: 60_000,
  maxBodyBytes: undefined,
};

/** What an Ingress's annotations settle; unset sslRedirect and backendProtocol depend on the route. */
interface IngressOptions {
  readonly sslRedirect: boolean | undefined;
  readonly backendProtocol: BackendProtocol | undefined;
  readonly loadBalancing: LoadBalancing;
  readonly readTimeoutMs: number;
  readonly maxBodyBytes: number | undefined;
  /** RouteOptions by sslRedirect and backendProtocol (sharedIndex), so routes alike share one object. */
  readonly shared: (RouteOptions | undefined)[];
}

const PROTOCOL_INDEX: Readonly<Record<BackendProtocol, number>> = { HTTP: 0, HTTPS: 1, H2C: 2, GRPC: 3, GRPCS: 4 };
const PROTOCOL_COUNT = 5;

function sharedIndex(sslRedirect: boolean, backendProtocol: BackendProtocol): number {
  return (sslRedirect ? PROTOCOL_COUNT : 0) + PROTOCOL_INDEX[backendProtocol];
}

export function optionsProcessor(state: BuildState): void {
  const defaults = resolveDefaults(state.options);
  const unannotated: IngressOptions = { ...defaults, sslRedirect: undefined, backendProtocol: undefined, shared: [] };
  const byIngress = new Map<IngressObject, IngressOptions>();
  for (const ingress of state.ingresses) {
    if (ANNOTATION_NAMES.some((name) => ingress.annotations[name] !== undefined)) {
      byIngress.set(ingress, readAnnotations(state, ingress, defaults));
    }
  }
  state.tableRoutes = state.winners.map((route): TableRoute => {
    const ingress = byIngress.get(route.ingress) ?? unannotated;
    return { ...route, options: routeOptions(ingress, route, defaults.forceSslRedirect, state.tls) };
  });
}

export function resolveDefaults(options: BuildOptions): RouteDefaults {
  const given = options.defaults ?? {};
  return {
    forceSslRedirect: given.forceSslRedirect ?? BUILT_IN_DEFAULTS.forceSslRedirect,
    loadBalancing: given.loadBalancing ?? BUILT_IN_DEFAULTS.loadBalancing,
    readTimeoutMs: given.readTimeoutMs ?? BUILT_IN_DEFAULTS.readTimeoutMs,
    maxBodyBytes: given.maxBodyBytes ?? BUILT_IN_DEFAULTS.maxBodyBytes,
  };
}

function readAnnotations(state: BuildState, ingress: IngressObject, defaults: RouteDefaults): IngressOptions {
  const read = <T>(annotation: OptionAnnotation<T>): Parsed<T> | undefined => readAnnotation(state, ingress, annotation);
  const bodySize = read(PROXY_BODY_SIZE);
  return {
    sslRedirect: read(SSL_REDIRECT)?.value,
    backendProtocol: read(BACKEND_PROTOCOL)?.value,
    loadBalancing: read(LOAD_BALANCE)?.value ?? defaults.loadBalancing,
    readTimeoutMs: read(PROXY_READ_TIMEOUT)?.value ?? defaults.readTimeoutMs,
    maxBodyBytes: bodySize === undefined ? defaults.maxBodyBytes : bodySize.value,
    shared: [],
  };
}

function readAnnotation<T>(state: BuildState, ingress: IngressObject, annotation: OptionAnnotation<T>): Parsed<T> | undefined {
  const written = ingress.annotations[annotation.name];
  if (written === undefined) return undefined;
  const parsed = annotation.parse(written);
  if (parsed === undefined) {
    const message = `annotation ${annotation.name}: ${quote(written)} is not valid; use ${annotation.accepted}. The default is used`;
    report(state, ingress, 'InvalidAnnotation', message);
  }
  return parsed;
}

function routeOptions(ingress: IngressOptions, route: ResolvedRoute, force: boolean, tls: TlsTable): RouteOptions {
  const sslRedirect = ingress.sslRedirect ?? (force || hasCertificate(tls, route));
  const backendProtocol = ingress.backendProtocol ?? protocolForAppProtocol(route.upstream.appProtocol);
  const index = sharedIndex(sslRedirect, backendProtocol);
  let options = ingress.shared[index];
  if (options === undefined) {
    const { loadBalancing, readTimeoutMs, maxBodyBytes } = ingress;
    options = { sslRedirect, loadBalancing, backendProtocol, readTimeoutMs, maxBodyBytes };
    ingress.shared[index] = options;
  }
  return options;
}

/** Whether SNI finds a certificate for the route's host; never for rules without a host. */
function hasCertificate(tls: TlsTable, route: ResolvedRoute): boolean {
  if (route.level === 'exact') return lookupCertificate(tls, route.host) !== undefined;
  if (route.level === 'wildcard') return tls.wildcards.has(route.host.slice('*.'.length));
  return false;
}

/** A written value for a message: quoted, escaped, and cut short when long. */
function quote(written: string): string {
  const MAX_SHOWN = 64;
  return JSON.stringify(written.length > MAX_SHOWN ? `${written.slice(0, MAX_SHOWN)}…` : written);
}
