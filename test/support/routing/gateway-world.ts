// Test helper: a ClusterState filled from raw API objects (as the informers would), so Gateway API
// builds are tested from the YAML a user writes.
import { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { toEndpointSlice, toIngress, toIngressClass, toSecret, toService } from '../../../src/kube/convert.ts';
import { toBackendTlsPolicy, toConfigMapCa, toGateway, toGatewayClass, toGrpcRoute, toHttpRoute, toListenerSet, toReferenceGrant, toTcpRoute, toTlsRoute } from '../../../src/kube/convert-gateway.ts';
import type { Json } from '../../../src/kube/client.ts';
import { buildRoutingTable } from '../../../src/routing/build.ts';
import type { BuildOptions, BuildResult } from '../../../src/routing/types.ts';

export const GATEWAY_CONTROLLER = 'bollard.io/gateway-controller';
const T0 = '2024-01-01T00:00:00Z';

const UPSERT: Readonly<Record<string, (state: ClusterState, raw: Json) => void>> = {
  GatewayClass: (s, raw) => s.gateways.upsertGatewayClass(toGatewayClass(raw)),
  Gateway: (s, raw) => s.gateways.upsertGateway(toGateway(raw)),
  ListenerSet: (s, raw) => s.gateways.upsertListenerSet(toListenerSet(raw)),
  HTTPRoute: (s, raw) => s.gateways.upsertRoute(toHttpRoute(raw)),
  GRPCRoute: (s, raw) => s.gateways.upsertRoute(toGrpcRoute(raw)),
  TLSRoute: (s, raw) => s.gateways.upsertRoute(toTlsRoute(raw)),
  TCPRoute: (s, raw) => s.gateways.upsertRoute(toTcpRoute(raw)),
  ReferenceGrant: (s, raw) => s.gateways.upsertReferenceGrant(toReferenceGrant(raw)),
  BackendTLSPolicy: (s, raw) => s.gateways.upsertBackendTlsPolicy(toBackendTlsPolicy(raw)),
  ConfigMap: (s, raw) => s.gateways.upsertConfigMap(toConfigMapCa(raw)),
  Namespace: (s, raw) => s.gateways.upsertNamespace(String((raw.metadata as Json).name), (raw.metadata as Json).labels as Record<string, string>),
  Service: (s, raw) => s.upsertService(toService(raw)),
  EndpointSlice: (s, raw) => s.upsertEndpointSlice(toEndpointSlice(raw)),
  Secret: (s, raw) => (raw.type === 'Opaque' ? s.upsertOpaqueSecret(toSecret(raw)) : s.upsertSecret(toSecret(raw))),
  Ingress: (s, raw) => s.upsertIngress(toIngress(raw)),
  IngressClass: (s, raw) => s.upsertIngressClass(toIngressClass(raw)),
};

export function world(objects: readonly Json[]): ClusterState {
  const state = new ClusterState();
  for (const raw of objects) upsertInto(state, raw);
  return state;
}

/** One object into the state, as its informer would (creationTimestamp and generation defaulted). */
export function upsertInto(state: ClusterState, raw: Json): void {
  const upsert = UPSERT[raw.kind as string];
  if (upsert === undefined) throw new Error(`world(): no upsert for kind ${String(raw.kind)}`);
  upsert(state, { ...raw, metadata: { creationTimestamp: T0, generation: 1, ...(raw.metadata as Json) } });
}

export function build(objects: readonly Json[], options: Partial<BuildOptions> = {}): BuildResult {
  return buildRoutingTable(world(objects), { controllerName: 'bollard.io/ingress-controller', gatewayControllerName: GATEWAY_CONTROLLER, ...options });
}

/** A kubernetes.io/tls Secret from a PEM pair. */
export const tlsSecret = (namespace: string, name: string, pair: { readonly certPem: string; readonly keyPem: string }): Json => ({
  kind: 'Secret', metadata: { namespace, name }, type: 'kubernetes.io/tls',
  data: { 'tls.crt': Buffer.from(pair.certPem).toString('base64'), 'tls.key': Buffer.from(pair.keyPem).toString('base64') },
});

/** A ConfigMap holding a CA bundle under ca.crt (Gateway frontend validation). */
export const caConfigMap = (namespace: string, name: string, caPem: string): Json =>
  ({ kind: 'ConfigMap', metadata: { namespace, name }, data: { 'ca.crt': caPem } });

export const gatewayClass = (name = 'bollard', controllerName = GATEWAY_CONTROLLER): Json =>
  ({ kind: 'GatewayClass', metadata: { name }, spec: { controllerName } });

export const gateway = (namespace: string, name: string, listeners: readonly Json[], className = 'bollard'): Json =>
  ({ kind: 'Gateway', metadata: { namespace, name }, spec: { gatewayClassName: className, listeners } });

/** A ListenerSet whose parentRef names the Gateway `parent` ("ns/name"). */
export const listenerSet = (namespace: string, name: string, parent: string, listeners: readonly Json[], metadata: Json = {}): Json => {
  const [parentNamespace, parentName] = parent.split('/');
  return {
    kind: 'ListenerSet', metadata: { namespace, name, ...metadata },
    spec: { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: parentNamespace, name: parentName }, listeners },
  };
};

/** A Gateway whose spec.allowedListeners admits ListenerSets from `from` ("All", "Same", "Selector" with `selector`, "None"). */
export const gatewayAllowing = (namespace: string, name: string, listeners: readonly Json[], from: string, selector?: Json): Json => {
  const gw = gateway(namespace, name, listeners);
  return { ...gw, spec: { ...(gw.spec as Json), allowedListeners: { namespaces: { from, ...(selector === undefined ? {} : { selector }) } } } };
};

export const namespace = (name: string, labels: Record<string, string>): Json => ({ kind: 'Namespace', metadata: { name, labels } });

export const httpListener = (extra: Json = {}): Json => ({ name: 'http', port: 80, protocol: 'HTTP', ...extra });

export const httpRoute = (namespace: string, name: string, spec: Json, metadata: Json = {}): Json =>
  ({ kind: 'HTTPRoute', metadata: { namespace, name, ...metadata }, spec });

export const tlsRoute = (namespace: string, name: string, spec: Json, metadata: Json = {}): Json =>
  ({ kind: 'TLSRoute', metadata: { namespace, name, ...metadata }, spec });

export const tcpRoute = (namespace: string, name: string, spec: Json, metadata: Json = {}): Json =>
  ({ kind: 'TCPRoute', metadata: { namespace, name, ...metadata }, spec });

/** A Service with one port and its ready endpoints. */
export function service(namespace: string, name: string, port: number, addresses: readonly string[], targetPort = 8080): Json[] {
  return [
    { kind: 'Service', metadata: { namespace, name }, spec: { ports: [{ name: 'http', port, targetPort }] } },
    {
      kind: 'EndpointSlice', metadata: { namespace, name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', ports: [{ name: 'http', port: targetPort }], endpoints: addresses.map((a) => ({ addresses: [a] })),
    },
  ];
}

export const backendTlsPolicy = (namespace: string, name: string, spec: Json, metadata: Json = {}): Json =>
  ({ kind: 'BackendTLSPolicy', metadata: { namespace, name, ...metadata }, spec });

export const configMap = (namespace: string, name: string, data: Record<string, string>): Json =>
  ({ kind: 'ConfigMap', metadata: { namespace, name }, data });
