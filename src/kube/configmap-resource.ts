// ConfigMaps, watched once for two readers: nginx custom-headers (the response headers an Ingress
// names by ConfigMap: their string data, in ClusterState) and BackendTLSPolicy CA bundles (only
// `ca.crt`, in the Gateway API store). A change matters when an Ingress or a policy names the
// ConfigMap (each store's reverse index).
import type { ConfigMapObject } from '../snapshot/model.ts';
import type { Json } from './client.ts';
import { toConfigMapCa } from './convert-gateway.ts';
import type { WatchedResource } from './resources.ts';

export function toConfigMap(raw: Json): ConfigMapObject {
  const metadata = (typeof raw.metadata === 'object' && raw.metadata !== null ? raw.metadata : {}) as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const data = typeof raw.data === 'object' && raw.data !== null ? raw.data as Record<string, unknown> : {};
  return {
    namespace: text(metadata.namespace),
    name: text(metadata.name),
    data: Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string')),
  };
}

export function configMapResource(keyOf: (raw: Json) => string, split: (key: string) => [string, string]): WatchedResource {
  return {
    kind: 'ConfigMap', prefix: '/api/v1', plural: 'configmaps', namespaced: true,
    upsert: (s, raw) => {
      const headers = s.upsertConfigMap(toConfigMap(raw));
      return s.gateways.upsertConfigMap(toConfigMapCa(raw)) || headers;
    },
    remove: (s, key) => {
      const headers = s.removeConfigMap(...split(key));
      return s.gateways.removeConfigMap(...split(key)) || headers;
    },
    keyOf,
  };
}
