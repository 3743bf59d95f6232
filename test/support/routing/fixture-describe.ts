// Test helper: the routing table's answers in the words of a routing fixture, and the projection
// that keeps only the fields a fixture states.
import { X509Certificate } from 'node:crypto';
import { refKey } from '../../../src/snapshot/model.ts';
import type { Diagnostic, Endpoint, Route, RouteOptions, TlsTable } from '../../../src/routing/types.ts';

function formatEndpoint({ host, port }: Endpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** maxBodyBytes undefined (unlimited) is written null in fixtures. */
function describeOptions(options: RouteOptions): Record<string, unknown> {
  return {
    ...options, maxBodyBytes: options.maxBodyBytes ?? null, connectTimeoutMs: options.connectTimeoutMs ?? null,
    retries: options.retries ?? null, retryTimeoutMs: options.retryTimeoutMs ?? null, sslPassthrough: options.sslPassthrough ?? false,
    accessLog: options.accessLog ?? null,
    ...optionalFields(options),
    tracing: options.tracing === undefined ? null : {
      enabled: options.tracing.enabled ?? null, trustIncomingSpan: options.tracing.trustIncomingSpan ?? null, operationName: options.tracing.operationName ?? null,
    },
    upstreamTls: options.upstreamTls === undefined ? null : Object.fromEntries(Object.entries(options.upstreamTls).map(([k, v]) => [k, v ?? null])),
  };
}

/** The fields a route may lack, null when it does. */
function optionalFields(options: RouteOptions): Record<string, unknown> {
  return { hsts: options.hsts ?? null };
}

export function describeRoute(route: Route | undefined): Record<string, unknown> | null {
  if (route === undefined) return null;
  return {
    service: route.upstream.key,
    endpoints: route.upstream.endpoints.map(formatEndpoint),
    ingress: refKey(route.ingress),
    route: `${route.pathType} ${route.path}`,
    options: describeOptions(route.options),
    middlewares: route.middlewares?.filters ?? [],
    errorBackend: route.errorBackend === undefined ? null : {
      service: route.errorBackend.upstream.key, endpoints: route.errorBackend.upstream.endpoints.map(formatEndpoint),
      codes: route.errorBackend.codes, headers: Object.fromEntries(route.errorBackend.headers),
    },
  };
}

export function describeDiagnostic(d: Diagnostic): Record<string, unknown> {
  return { ingress: refKey(d.ingress), reason: d.reason, message: d.message };
}

/** host → "ns/secret", wildcards as "*.example.com". */
export function describeTls(tls: TlsTable): Record<string, string> {
  const hosts = [...tls.hosts].map(([host, c]) => [host, refKey(c.secret)] as const);
  const wildcards = [...tls.wildcards].map(([suffix, c]) => [`*.${suffix}`, refKey(c.secret)] as const);
  return Object.fromEntries([...hosts, ...wildcards]);
}

/** host → the certificate's cipher settings, for hosts that have any. */
export function describeTlsCiphers(tls: TlsTable): Record<string, Record<string, unknown>> {
  const hosts = [...tls.hosts].map(([host, c]) => [host, c] as const);
  const wildcards = [...tls.wildcards].map(([suffix, c]) => [`*.${suffix}`, c] as const);
  return Object.fromEntries([...hosts, ...wildcards]
    .filter(([, c]) => c.ciphers !== undefined || c.preferServerCiphers !== undefined)
    .map(([host, c]) => [host, { ...(c.ciphers === undefined ? {} : { ciphers: c.ciphers }), ...(c.preferServerCiphers === undefined ? {} : { preferServerCiphers: c.preferServerCiphers }) }]));
}

/** The TLS table's client-certificate validations (nginx auth-tls), host → mode, depth, the CAs' subjects and whether a CRL is set. */
export function describeTlsClientValidation(tls: TlsTable): Record<string, Record<string, unknown>> {
  const hosts = [...tls.hosts].map(([host, c]) => [host, c] as const);
  const wildcards = [...tls.wildcards].map(([suffix, c]) => [`*.${suffix}`, c] as const);
  return Object.fromEntries([...hosts, ...wildcards].flatMap(([host, c]) => {
    const v = c.clientValidation;
    if (v === undefined) return [];
    const cas = (v.caPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem).subject);
    return [[host, { mode: v.mode, verifyDepth: v.verifyDepth, cas, crl: v.crlPem !== undefined }]];
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps only the fields the fixture states, at every depth, so a fixture need not spell out every field. */
export function project(actual: unknown, expected: unknown): unknown {
  if (!isRecord(actual) || !isRecord(expected)) return actual;
  return Object.fromEntries(Object.keys(expected).map((key) => [key, project(actual[key], expected[key])]));
}
