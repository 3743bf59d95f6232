import { describe, expect, it } from '@jest/globals';
import { ClusterState } from '../snapshot/cluster-state.ts';
import { collectionPaths, watchedResources, watchedResourcesFor } from './resources.ts';

describe('watchedResourcesFor', () => {
  it('watches Namespaces only with a selector, cluster-wide, filtered by it', () => {
    expect(watchedResourcesFor({ namespaces: [] })).toBe(watchedResources);
    expect(watchedResourcesFor({ namespaces: [], namespaceSelector: '' })).toBe(watchedResources);
    const withSelector = watchedResourcesFor({ namespaces: [], namespaceSelector: 'team=web' });
    const ns = withSelector.find((r) => r.kind === 'Namespace');
    expect(withSelector.map((r) => r.kind)).toEqual(['IngressClass', 'Ingress', 'Service', 'EndpointSlice', 'Secret', 'OpaqueSecret', 'ConfigMap', 'Namespace']);
    expect(ns?.query).toEqual({ labelSelector: 'team=web' });
    expect(ns && collectionPaths(ns, [])).toEqual(['/api/v1/namespaces']);
  });

  it('lands a matching Namespace in the selected set and drops it again', () => {
    const state = new ClusterState({ selectNamespaces: true });
    const ns = watchedResourcesFor({ namespaces: [], namespaceSelector: 'team=web' }).find((r) => r.kind === 'Namespace');
    const raw = { metadata: { name: 'shop', labels: { team: 'web' } } };
    expect(ns?.keyOf(raw)).toBe('shop');
    expect(ns?.upsert(state, raw)).toBe(true);
    expect(state.keys('Namespace')).toEqual(['shop']);
    expect(ns?.remove(state, 'shop')).toBe(true);
    expect(state.keys('Namespace')).toEqual([]);
  });
});
