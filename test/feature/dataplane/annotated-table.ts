// A routing table built by the real builder from annotated Ingresses, every route going to one
// Service "shop/web" whose endpoints are the given (real) ones: the feature tests of annotations
// exercise the same table the controller would publish.
import type { Endpoint } from '../../../src/routing/types.ts';
import type { BuildOptions, BuildResult } from '../../../src/routing/types.ts';
import { buildRoutingTable } from '../../../src/routing/build.ts';
import { CONTROLLER, fixtureObjects, memorySnapshot, parseFixture, type Fixture } from '../../support/routing/fixture-snapshot.ts';

export interface IngressSpec {
  readonly name: string;
  readonly host: string;
  readonly annotations: Record<string, string>;
  /** Default: one Prefix path "/". */
  readonly paths?: readonly { readonly path: string; readonly pathType: string }[];
  /** A spec.tls entry for the host naming no Secret (ACME's certificate serves it), unless tlsSecret names one. */
  readonly tls?: boolean;
  /** A spec.tls entry for the host naming this Secret (give it in `secrets`, type kubernetes.io/tls). */
  readonly tlsSecret?: string;
}

/** A Secret of namespace "shop", its data as plain strings. */
export interface SecretSpec {
  readonly name: string;
  readonly type?: string;
  readonly stringData: Record<string, string>;
}

/** A ConfigMap of namespace "shop" (nginx custom-headers). */
export interface ConfigMapSpec {
  readonly name: string;
  readonly data: Record<string, string>;
}

export function buildAnnotated(
  ingresses: readonly IngressSpec[], endpoints: readonly Endpoint[], secrets: readonly SecretSpec[] = [], options: Partial<BuildOptions> = {},
  configMaps: readonly ConfigMapSpec[] = [],
): BuildResult {
  const ports = [...new Set(endpoints.map((e) => e.port))];
  const fixture = parseFixture({
    ingresses: ingresses.map((i) => ({
      metadata: { namespace: 'shop', name: i.name, annotations: i.annotations },
      spec: {
        ingressClassName: 'bollard',
        ...(i.tlsSecret !== undefined ? { tls: [{ hosts: [i.host], secretName: i.tlsSecret }] } : i.tls === true ? { tls: [{ hosts: [i.host] }] } : {}),
        rules: [{
          host: i.host,
          http: { paths: (i.paths ?? [{ path: '/', pathType: 'Prefix' }]).map((p) => ({ ...p, backend: { service: { name: 'web', port: { name: 'http' } } } })) },
        }],
      },
    })),
    services: [{ metadata: { namespace: 'shop', name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }] } }],
    // One slice per port, so endpoints on different ports (test servers) all belong to the Service.
    endpointSlices: ports.map((port) => ({
      metadata: { namespace: 'shop', name: `web-${port}`, labels: { 'kubernetes.io/service-name': 'web' } },
      ports: [{ name: 'http', port }],
      endpoints: endpoints.filter((e) => e.port === port).map((e) => ({ addresses: [e.host] })),
    })),
    secrets: secrets.map((s) => ({ metadata: { namespace: 'shop', name: s.name }, type: s.type ?? 'Opaque', stringData: s.stringData })),
    configMaps: configMaps.map((c) => ({ metadata: { namespace: 'shop', name: c.name }, data: c.data })),
    requests: [], diagnostics: [], served: [],
  });
  return buildFixture(fixture, options);
}

/** A parsed routing fixture built as Bollard's controller would, from the objects alone. */
export function buildFixture(fixture: Fixture, options: Partial<BuildOptions> = {}): BuildResult {
  return buildRoutingTable(memorySnapshot(fixtureObjects(fixture)), { ...options, controllerName: CONTROLLER });
}
