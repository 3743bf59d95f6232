// Test helper: the format of a routing fixture (test/fixtures/routing/*.yaml). Objects are written
// Kubernetes-style, trimmed to what routing reads; expectations are stated for requests, the TLS
// table, the diagnostics and the served Ingresses.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const labels = z.record(z.string(), z.string()).default({});
export const metadata = z.strictObject({
  namespace: z.string().default('default'),
  name: z.string(),
  creationTimestamp: z.string().default('2024-01-01T00:00:00Z'),
  annotations: labels,
  labels,
});
const backend = z.strictObject({
  service: z
    .strictObject({
      name: z.string(),
      port: z.strictObject({ number: z.number().int().optional(), name: z.string().optional() }),
    })
    .optional(),
  resource: z.strictObject({ apiGroup: z.string().optional(), kind: z.string(), name: z.string() }).optional(),
});
const httpPath = z.strictObject({ path: z.string().optional(), pathType: z.string().default(''), backend });
export const ingress = z.strictObject({
  metadata,
  spec: z.strictObject({
    ingressClassName: z.string().optional(),
    defaultBackend: backend.optional(),
    rules: z
      .array(z.strictObject({ host: z.string().optional(), http: z.strictObject({ paths: z.array(httpPath) }).optional() }))
      .default([]),
    tls: z.array(z.strictObject({ hosts: z.array(z.string()).default([]), secretName: z.string().optional() })).default([]),
  }),
});
const ingressClass = z.strictObject({ metadata, spec: z.strictObject({ controller: z.string() }) });
const servicePort = z.strictObject({
  name: z.string().optional(),
  port: z.number().int(),
  protocol: z.string().default('TCP'),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
  appProtocol: z.string().optional(),
});
const service = z.strictObject({
  metadata,
  spec: z.strictObject({
    type: z.string().default('ClusterIP'),
    externalName: z.string().optional(),
    clusterIP: z.string().optional(),
    ports: z.array(servicePort).default([]),
  }),
});
const endpointSlice = z.strictObject({
  metadata,
  addressType: z.string().default('IPv4'),
  ports: z.array(z.strictObject({ name: z.string().default(''), port: z.number().int().optional(), protocol: z.string().default('TCP') })),
  endpoints: z.array(
    z.strictObject({
      addresses: z.array(z.string()),
      conditions: z.strictObject({ ready: z.boolean().optional(), serving: z.boolean().optional(), terminating: z.boolean().optional() }).default({}),
    }),
  ),
});
/** Data as plain strings (Kubernetes' stringData), e.g. PEM under tls.crt and tls.key. */
const secret = z.strictObject({
  metadata,
  type: z.string().default('kubernetes.io/tls'),
  stringData: z.record(z.string(), z.string()).default({}),
});
const loadBalancing = z.enum(['round-robin', 'least-request', 'ewma']);
/** BuildOptions.defaults. */
const defaults = z.strictObject({
  sslRedirect: z.boolean().optional(),
  forceSslRedirect: z.boolean().optional(),
  loadBalancing: loadBalancing.optional(),
  readTimeoutMs: z.number().int().optional(),
  maxBodyBytes: z.number().int().optional(),
  tunnelIdleTimeoutMs: z.number().int().optional(),
  /** The Strict-Transport-Security value; false: none. */
  hsts: z.union([z.string(), z.literal(false)]).optional(),
});
/** RouteOptions, any subset; maxBodyBytes null means unlimited. */
const options = z.strictObject({
  sslRedirect: z.boolean().optional(),
  loadBalancing: loadBalancing.optional(),
  backendProtocol: z.enum(['HTTP', 'HTTPS', 'H2C', 'GRPC', 'GRPCS']).optional(),
  readTimeoutMs: z.number().int().optional(),
  maxBodyBytes: z.number().int().nullable().optional(),
  tunnelIdleTimeoutMs: z.number().int().optional(),
  /** null: the data plane's setting. */
  connectTimeoutMs: z.number().int().nullable().optional(),
  retries: z.number().int().nullable().optional(),
  retryTimeoutMs: z.number().int().nullable().optional(),
  sslPassthrough: z.boolean().optional(),
  /** false: no access-log lines (nginx enable-access-log); null: logged. */
  accessLog: z.literal(false).nullable().optional(),
  /** RouteTracing without its key, unset fields null; null: the controller's settings alone. */
  tracing: z.strictObject({ enabled: z.boolean().nullable(), trustIncomingSpan: z.boolean().nullable(), operationName: z.string().nullable() }).nullable().optional(),
  /** UpstreamTls, any subset of its fields; null: none. */
  upstreamTls: z.record(z.string(), z.unknown()).nullable().optional(),
  /** The Strict-Transport-Security value of HTTPS answers; null: none. */
  hsts: z.string().nullable().optional(),
});
const expectation = z.strictObject({
  /** The upstream key, "ns/service:port". */
  service: z.string().optional(),
  /** "host:port", IPv6 hosts in brackets; [] means the route exists but answers 503. */
  endpoints: z.array(z.string()),
  /** The Ingress owning the route, "ns/name". */
  ingress: z.string().optional(),
  /** The route that matched, "Exact /foo" or "Prefix /foo". */
  route: z.string().optional(),
  options: options.optional(),
  /** The route's middleware chain (src/routing/middleware.ts), each filter in full; [] for none. */
  middlewares: z.array(z.record(z.string(), z.unknown())).optional(),
  /** nginx default-backend: its upstream key, endpoints, custom-http-errors codes and X-* headers; null for none. */
  errorBackend: z.strictObject({
    service: z.string(), endpoints: z.array(z.string()), codes: z.array(z.number().int()), headers: z.record(z.string(), z.string()),
  }).nullable().optional(),
});
const fixture = z.strictObject({
  /** Default: one IngressClass "bollard" of our controller, not the default class. */
  ingressClasses: z.array(ingressClass).optional(),
  defaults: defaults.optional(),
  /** BuildOptions.sslPassthrough (--enable-ssl-passthrough). */
  sslPassthrough: z.boolean().optional(),
  ingresses: z.array(ingress).default([]),
  services: z.array(service).default([]),
  endpointSlices: z.array(endpointSlice).default([]),
  secrets: z.array(secret).default([]),
  /** ConfigMaps (nginx custom-headers), their string data. */
  configMaps: z.array(z.strictObject({ metadata, data: z.record(z.string(), z.string()).default({}) })).default([]),
  requests: z.array(
    z.strictObject({ host: z.string().optional(), path: z.string(), expect: z.union([z.null(), expectation]) }),
  ),
  /** The whole TLS table: host (wildcards as "*.example.com") → "ns/secret". */
  tls: z.record(z.string(), z.string()).default({}),
  diagnostics: z.array(z.strictObject({ ingress: z.string(), reason: z.string(), message: z.string().optional() })),
  served: z.array(z.string()),
  /** RoutingTable.wwwRedirects (twin → host), when stated. */
  wwwRedirects: z.record(z.string(), z.string()).optional(),
  /** RoutingTable.hostAliases (alias → host), when stated. */
  hostAliases: z.record(z.string(), z.string()).optional(),
  /** The TLS table's cipher settings (nginx ssl-ciphers), host → settings, when stated; hosts without any are left out. */
  tlsCiphers: z.record(z.string(), z.strictObject({ ciphers: z.string().optional(), preferServerCiphers: z.boolean().optional() })).optional(),
  /** The TLS table's client-certificate validations (nginx auth-tls), host → settings, when stated; hosts without one are left out. */
  tlsClientValidation: z.record(z.string(), z.strictObject({
    mode: z.string(), verifyDepth: z.number().int().optional(), cas: z.array(z.string()), crl: z.boolean(),
  })).optional(),
  /** BuildResult.unsupportedAnnotations, when stated. */
  unsupportedAnnotations: z.record(z.string(), z.number().int()).optional(),
});

export type Fixture = z.output<typeof fixture>;
export type RequestExpectation = z.output<typeof expectation>;
export type FixtureIngress = z.output<typeof ingress>;

export function loadFixture(file: URL): Fixture {
  return parseFixture(parse(readFileSync(file, 'utf8')));
}

/** A fixture given as a value (defaults filled in), e.g. by a feature test that builds a real table. */
export function parseFixture(value: unknown): Fixture {
  return fixture.parse(value);
}
