// Test helper: reads a routing fixture (test/fixtures/routing/*.yaml) and serves its objects as an
// in-memory ClusterSnapshot. Objects are written Kubernetes-style, trimmed to what routing reads.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type {
  ClusterSnapshot,
  EndpointSliceObject,
  IngressClassObject,
  IngressObject,
  ServiceObject,
} from '../snapshot/model.ts';
import { compareRefs } from './compare.ts';

export const CONTROLLER = 'bollard.io/ingress-controller';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const labels = z.record(z.string(), z.string()).default({});
const metadata = z.strictObject({
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
const ingress = z.strictObject({
  metadata,
  spec: z.strictObject({
    ingressClassName: z.string().optional(),
    defaultBackend: backend.optional(),
    rules: z
      .array(z.strictObject({ host: z.string().optional(), http: z.strictObject({ paths: z.array(httpPath) }).optional() }))
      .default([]),
  }),
});
const ingressClass = z.strictObject({ metadata, spec: z.strictObject({ controller: z.string() }) });
const servicePort = z.strictObject({
  name: z.string().optional(),
  port: z.number().int(),
  protocol: z.string().default('TCP'),
  targetPort: z.union([z.number().int(), z.string()]).optional(),
});
const service = z.strictObject({
  metadata,
  spec: z.strictObject({
    type: z.string().default('ClusterIP'),
    externalName: z.string().optional(),
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
      conditions: z.strictObject({ ready: z.boolean().optional() }).default({}),
    }),
  ),
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
});
const fixture = z.strictObject({
  /** Default: one IngressClass "bollard" of our controller, not the default class. */
  ingressClasses: z.array(ingressClass).optional(),
  ingresses: z.array(ingress).default([]),
  services: z.array(service).default([]),
  endpointSlices: z.array(endpointSlice).default([]),
  requests: z.array(
    z.strictObject({ host: z.string().optional(), path: z.string(), expect: z.union([z.null(), expectation]) }),
  ),
  diagnostics: z.array(z.strictObject({ ingress: z.string(), reason: z.string(), message: z.string().optional() })),
  served: z.array(z.string()),
});

export type Fixture = z.output<typeof fixture>;
export type RequestExpectation = z.output<typeof expectation>;

export function loadFixture(file: URL): Fixture {
  return fixture.parse(parse(readFileSync(file, 'utf8')));
}

export interface SnapshotObjects {
  readonly ingresses: readonly IngressObject[];
  readonly ingressClasses: readonly IngressClassObject[];
  readonly services: readonly ServiceObject[];
  readonly endpointSlices: readonly EndpointSliceObject[];
}

export function fixtureObjects(f: Fixture): SnapshotObjects {
  const classes = f.ingressClasses ?? [{ metadata: metadata.parse({ name: 'bollard' }), spec: { controller: CONTROLLER } }];
  return {
    ingresses: f.ingresses.map(toIngress),
    ingressClasses: classes.map((c) => ({
      name: c.metadata.name,
      controller: c.spec.controller,
      isDefault: c.metadata.annotations[DEFAULT_CLASS_ANNOTATION] === 'true',
    })),
    services: f.services.map((s) => ({
      namespace: s.metadata.namespace,
      name: s.metadata.name,
      type: s.spec.type,
      externalName: s.spec.externalName,
      externalIPs: [],
      ports: s.spec.ports,
      statusLoadBalancer: [],
    })),
    endpointSlices: f.endpointSlices.map((s) => ({
      namespace: s.metadata.namespace,
      name: s.metadata.name,
      serviceName: s.metadata.labels[SERVICE_NAME_LABEL] ?? '',
      addressType: s.addressType,
      ports: s.ports,
      endpoints: s.endpoints.map((e) => ({ addresses: e.addresses, ready: e.conditions.ready ?? true })),
    })),
  };
}

function toIngress(raw: z.output<typeof ingress>): IngressObject {
  const { namespace, name, creationTimestamp, annotations } = raw.metadata;
  return {
    namespace,
    name,
    uid: `uid-${namespace}-${name}`,
    generation: 1,
    creationTimestamp,
    annotations,
    ingressClassName: raw.spec.ingressClassName,
    defaultBackend: raw.spec.defaultBackend,
    rules: raw.spec.rules.map((rule) => ({ host: rule.host, paths: rule.http?.paths ?? [] })),
    tls: [],
    statusLoadBalancer: [],
  };
}

/** A ClusterSnapshot over fixed objects. It returns lists in the order given: tests may shuffle them. */
export function memorySnapshot(objects: SnapshotObjects): ClusterSnapshot {
  return {
    ingresses: () => objects.ingresses,
    ingressClasses: () => objects.ingressClasses,
    lookupService: (namespace, name) => objects.services.find((s) => compareRefs(s, { namespace, name }) === 0),
    lookupEndpointSlices: (namespace, serviceName) =>
      objects.endpointSlices.filter((s) => s.namespace === namespace && s.serviceName === serviceName),
    lookupSecret: () => undefined,
  };
}
