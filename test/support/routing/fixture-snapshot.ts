// Test helper: serves a routing fixture's objects (fixture-schema.ts) as an in-memory
// ClusterSnapshot, and its defaults as BuildOptions.
import { readFileSync } from 'node:fs';
import type {
  ClusterSnapshot, ConfigMapObject,
  EndpointSliceObject,
  IngressClassObject,
  IngressObject,
  SecretObject,
  ServiceObject,
} from '../../../src/snapshot/model.ts';
import type { BuildOptions } from '../../../src/routing/types.ts';
import type { Fixture, FixtureIngress } from './fixture-schema.ts';
import { compareRefs } from '../../../src/routing/compare.ts';
import { metadata } from './fixture-schema.ts';

export type { Fixture, RequestExpectation } from './fixture-schema.ts';
export { loadFixture, parseFixture } from './fixture-schema.ts';

export const CONTROLLER = 'bollard.io/ingress-controller';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface SnapshotObjects {
  readonly ingresses: readonly IngressObject[];
  readonly ingressClasses: readonly IngressClassObject[];
  readonly services: readonly ServiceObject[];
  readonly endpointSlices: readonly EndpointSliceObject[];
  readonly secrets: readonly SecretObject[];
  readonly configMaps?: readonly ConfigMapObject[];
}

export function fixtureOptions(f: Fixture): BuildOptions {
  return {
    controllerName: CONTROLLER, ...(f.defaults === undefined ? {} : { defaults: f.defaults }),
    ...(f.sslPassthrough === undefined ? {} : { sslPassthrough: f.sslPassthrough }),
  };
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
      ...(s.spec.clusterIP === undefined ? {} : { clusterIP: s.spec.clusterIP }),
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
    configMaps: f.configMaps.map((c) => ({ namespace: c.metadata.namespace, name: c.metadata.name, data: c.data })),
    secrets: f.secrets.map((s) => ({
      namespace: s.metadata.namespace,
      name: s.metadata.name,
      type: s.type,
      data: Object.fromEntries(Object.entries(s.stringData).map(([key, value]) => [key, Buffer.from(testData(value), 'utf8')])),
    })),
  };
}

function toIngress(raw: FixtureIngress): IngressObject {
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
    tls: raw.spec.tls,
    statusLoadBalancer: [],
  };
}

/** A ClusterSnapshot over fixed objects. It returns lists in the order given: tests may shuffle them. */
export function memorySnapshot(objects: SnapshotObjects): ClusterSnapshot {
  const find = <T extends { namespace: string; name: string }>(list: readonly T[], namespace: string, name: string) =>
    list.find((o) => compareRefs(o, { namespace, name }) === 0);
  return {
    ingresses: () => objects.ingresses,
    ingressClasses: () => objects.ingressClasses,
    lookupService: (namespace, name) => find(objects.services, namespace, name),
    lookupEndpointSlices: (namespace, serviceName) =>
      objects.endpointSlices.filter((s) => s.namespace === namespace && s.serviceName === serviceName),
    lookupSecret: (namespace, name) => find(objects.secrets, namespace, name),
    lookupOpaqueSecret: (namespace, name) => find(objects.secrets.filter((s) => s.type === 'Opaque'), namespace, name),
    lookupConfigMap: (namespace, name) => find(objects.configMaps ?? [], namespace, name),
  };
}

const TLS_FIXTURES = new URL('../../fixtures/tls/', import.meta.url);

/** "@rsa-2048-a.crt" stands for that file of test/fixtures/tls/: real PEM the builder can parse. */
export function testData(value: string): string {
  if (!value.startsWith('@')) return value;
  let pem = tlsFixtures.get(value);
  if (pem === undefined) {
    pem = readFileSync(new URL(value.slice(1), TLS_FIXTURES), 'utf8');
    tlsFixtures.set(value, pem);
  }
  return pem;
}

const tlsFixtures = new Map<string, string>();
