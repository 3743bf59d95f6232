// The Gateway API resources Bollard watches (gateway.networking.k8s.io/v1), and the discovery
// request that says which of them the cluster serves (--gateway-api=auto).
import type { ClusterState } from '../snapshot/cluster-state.ts';
import type { KubeClient } from './client.ts';
import { KubeApiError } from './client.ts';
import { toBackendTlsPolicy, toGateway, toGatewayClass, toGrpcRoute, toHttpRoute, toListenerSet, toReferenceGrant, toTcpRoute, toTlsRoute } from './convert-gateway.ts';
import { arr, obj, str, strMap } from './json-read.ts';
import type { WatchedResource } from './resources.ts';

const PREFIX = '/apis/gateway.networking.k8s.io/v1';

const metaKey = (raw: Record<string, unknown>): string => {
  const m = obj(raw.metadata);
  const name = str(m.name) ?? '';
  const namespace = str(m.namespace);
  return namespace === undefined ? name : `${namespace}/${name}`;
};
const split = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};
const store = (s: ClusterState) => s.gateways;

export const gatewayApiResources: readonly WatchedResource[] = [
  {
    kind: 'GatewayClass', prefix: PREFIX, plural: 'gatewayclasses', namespaced: false,
    upsert: (s, raw) => store(s).upsertGatewayClass(toGatewayClass(raw)),
    remove: (s, key) => store(s).removeGatewayClass(key),
    keyOf: metaKey,
  },
  {
    kind: 'Gateway', prefix: PREFIX, plural: 'gateways', namespaced: true,
    upsert: (s, raw) => store(s).upsertGateway(toGateway(raw)),
    remove: (s, key) => store(s).removeGateway(...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'ListenerSet', prefix: PREFIX, plural: 'listenersets', namespaced: true,
    upsert: (s, raw) => store(s).upsertListenerSet(toListenerSet(raw)),
    remove: (s, key) => store(s).removeListenerSet(...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'HTTPRoute', prefix: PREFIX, plural: 'httproutes', namespaced: true,
    upsert: (s, raw) => store(s).upsertRoute(toHttpRoute(raw)),
    remove: (s, key) => store(s).removeRoute('HTTPRoute', ...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'GRPCRoute', prefix: PREFIX, plural: 'grpcroutes', namespaced: true,
    upsert: (s, raw) => store(s).upsertRoute(toGrpcRoute(raw)),
    remove: (s, key) => store(s).removeRoute('GRPCRoute', ...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'TLSRoute', prefix: PREFIX, plural: 'tlsroutes', namespaced: true,
    upsert: (s, raw) => store(s).upsertRoute(toTlsRoute(raw)),
    remove: (s, key) => store(s).removeRoute('TLSRoute', ...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'TCPRoute', prefix: PREFIX, plural: 'tcproutes', namespaced: true,
    upsert: (s, raw) => store(s).upsertRoute(toTcpRoute(raw)),
    remove: (s, key) => store(s).removeRoute('TCPRoute', ...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'ReferenceGrant', prefix: PREFIX, plural: 'referencegrants', namespaced: true,
    upsert: (s, raw) => store(s).upsertReferenceGrant(toReferenceGrant(raw)),
    remove: (s, key) => store(s).removeReferenceGrant(...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'BackendTLSPolicy', prefix: PREFIX, plural: 'backendtlspolicies', namespaced: true,
    upsert: (s, raw) => store(s).upsertBackendTlsPolicy(toBackendTlsPolicy(raw)),
    remove: (s, key) => store(s).removeBackendTlsPolicy(...split(key)),
    keyOf: metaKey,
  },
];

/** Every namespace's labels: listeners may allow routes from namespaces selected by label. */
export const gatewayNamespaces: WatchedResource = {
  kind: 'GatewayNamespace', prefix: '/api/v1', plural: 'namespaces', namespaced: false,
  upsert: (s, raw) => store(s).upsertNamespace(metaKey(raw), strMap(obj(obj(raw).metadata).labels)),
  remove: (s, key) => store(s).removeNamespace(key),
  keyOf: metaKey,
};

/**
 * The Gateway API resources the API server serves, by plural; empty when the group is not
 * installed (404). Other errors reject: a start-up that cannot tell must not guess.
 */
export async function discoverGatewayApi(client: KubeClient): Promise<ReadonlySet<string>> {
  try {
    const list = await client.request('GET', PREFIX);
    return new Set(arr(list.resources).map((r) => str(obj(r).name) ?? '').filter((n) => n !== '' && !n.includes('/')));
  } catch (err: unknown) {
    if (err instanceof KubeApiError && err.status === 404) return new Set();
    throw err;
  }
}

/**
 * The resources to watch given what the cluster serves; GatewayClass, Gateway and HTTPRoute are
 * required; GRPCRoute, TLSRoute, TCPRoute, ListenerSet, ReferenceGrant and BackendTLSPolicy are watched when served. (ConfigMaps, which BackendTLSPolicies name for CA bundles, are always watched: resources.ts.)
 */
export function gatewayResourcesServed(served: ReadonlySet<string>): readonly WatchedResource[] {
  const required = ['gatewayclasses', 'gateways', 'httproutes'];
  if (!required.every((p) => served.has(p))) return [];
  return [...gatewayApiResources.filter((r) => served.has(r.plural)), gatewayNamespaces];
}

/** --gateway-api: false watches none; true all of them (informers retry until the CRDs exist); auto what discovery finds. */
export async function gatewayResourcesFor(mode: 'auto' | 'true' | 'false', client: KubeClient): Promise<readonly WatchedResource[]> {
  if (mode === 'false') return [];
  if (mode === 'true') return [...gatewayApiResources, gatewayNamespaces];
  return gatewayResourcesServed(await discoverGatewayApi(client));
}
