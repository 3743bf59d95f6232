// The watched resources: where they live in the API and how each lands in ClusterState. Seven
// always; Namespaces too with --watch-namespace-selector (the selected set, see ClusterState).
import type { ClusterState, Kind } from '../snapshot/cluster-state.ts';
import type { Json } from './client.ts';
import { toEndpointSlice, toIngress, toIngressClass, toSecret, toService } from './convert.ts';
import { configMapResource } from './configmap-resource.ts';

export interface WatchedResource {
  readonly kind: Kind;
  /** API group/version prefix, e.g. /apis/networking.k8s.io/v1 */
  readonly prefix: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly query?: Readonly<Record<string, string>>;
  readonly upsert: (state: ClusterState, raw: Json) => boolean;
  readonly remove: (state: ClusterState, key: string) => boolean;
  readonly keyOf: (raw: Json) => string;
}

const metaKey = (raw: Json): string => {
  const m = (raw.metadata ?? {}) as { namespace?: string; name?: string };
  return m.namespace === undefined ? (m.name ?? '') : `${m.namespace}/${m.name ?? ''}`;
};
const split = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};

export interface WatchScope {
  /** --watch-namespaces: watch only these namespaces; empty: all. */
  readonly namespaces: readonly string[];
  /** --watch-namespace-selector: serve only Ingresses of namespaces with matching labels; '' for none. */
  readonly namespaceSelector?: string;
  /** Gateway API resources to watch too (gateway-resources.ts); none by default. */
  readonly gatewayApi?: readonly WatchedResource[];
}

export const watchedResources: readonly WatchedResource[] = [
  {
    kind: 'IngressClass', prefix: '/apis/networking.k8s.io/v1', plural: 'ingressclasses', namespaced: false,
    upsert: (s, raw) => s.upsertIngressClass(toIngressClass(raw)),
    remove: (s, key) => s.removeIngressClass(key),
    keyOf: metaKey,
  },
  {
    kind: 'Ingress', prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true,
    upsert: (s, raw) => s.upsertIngress(toIngress(raw)),
    remove: (s, key) => s.removeIngress(...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'Service', prefix: '/api/v1', plural: 'services', namespaced: true,
    upsert: (s, raw) => s.upsertService(toService(raw)),
    remove: (s, key) => s.removeService(...split(key)),
    keyOf: metaKey,
  },
  {
    kind: 'EndpointSlice', prefix: '/apis/discovery.k8s.io/v1', plural: 'endpointslices', namespaced: true,
    upsert: (s, raw) => s.upsertEndpointSlice(toEndpointSlice(raw)),
    remove: (s, key) => s.removeEndpointSlice(...split(key)),
    keyOf: metaKey,
  },
  {
    // Only TLS Secrets: the field selector keeps every other Secret out of memory.
    kind: 'Secret', prefix: '/api/v1', plural: 'secrets', namespaced: true,
    query: { fieldSelector: 'type=kubernetes.io/tls' },
    upsert: (s, raw) => s.upsertSecret(toSecret(raw)),
    remove: (s, key) => s.removeSecret(...split(key)),
    keyOf: metaKey,
  },
  {
    // Opaque Secrets (nginx auth-secret htpasswd files), watched apart so that each watch's relist
    // replaces only its own kind. Service-account tokens, Helm releases and the like stay out.
    kind: 'OpaqueSecret', prefix: '/api/v1', plural: 'secrets', namespaced: true,
    query: { fieldSelector: 'type=Opaque' },
    upsert: (s, raw) => s.upsertOpaqueSecret(toSecret(raw)),
    remove: (s, key) => s.removeOpaqueSecret(...split(key)),
    keyOf: metaKey,
  },
  configMapResource(metaKey, split),
];

/** Namespaces matching the selector: a namespace that stops matching arrives as DELETED. */
export function selectedNamespaces(selector: string): WatchedResource {
  return {
    kind: 'Namespace', prefix: '/api/v1', plural: 'namespaces', namespaced: false,
    query: { labelSelector: selector },
    upsert: (s, raw) => s.upsertNamespace(metaKey(raw)),
    remove: (s, key) => s.removeNamespace(key),
    keyOf: metaKey,
  };
}

/** The resources to watch for this scope. */
export function watchedResourcesFor(scope: WatchScope): readonly WatchedResource[] {
  const selector = scope.namespaceSelector ?? '';
  const gateway = scope.gatewayApi ?? [];
  const base = gateway.length === 0 ? watchedResources : [...watchedResources, ...gateway];
  return selector === '' ? base : [...base, selectedNamespaces(selector)];
}

/** Collection paths to watch: one cluster-wide, or one per namespace when a list is configured. */
export function collectionPaths(r: WatchedResource, namespaces: readonly string[]): readonly string[] {
  if (!r.namespaced || namespaces.length === 0) return [`${r.prefix}/${r.plural}`];
  return namespaces.map((ns) => `${r.prefix}/namespaces/${ns}/${r.plural}`);
}
