// What the Gateway API build remembers between builds (kept in the BuildCache): each route's
// compiled candidates, reused while nothing they were compiled from changed. Snapshot objects are
// immutable and replaced when they change, so identity says "unchanged":
//   - the route object itself;
//   - where it attaches (the listeners' tables, protocols and the hostnames: `attachKey`);
//   - what every route may depend on (`inputs`: ReferenceGrants, Gateways, BackendTLSPolicies and
//     their CA bundles) and the build's defaults (`contextKey`);
//   - every Service, EndpointSlice list and Secret the compilation looked up (recorded as read),
//     checked again only when the snapshot's readsVersion moved since the last check.
// A reused entry gives exactly what a new compilation would, so the cache never changes a result.
import type { ClusterSnapshot, EndpointSliceObject, SecretObject, ServiceObject } from '../../snapshot/model.ts';
import type { RouteObject } from '../../snapshot/gateway-model.ts';

type Read =
  | { readonly what: 'service'; readonly namespace: string; readonly name: string; readonly seen: ServiceObject | undefined }
  | { readonly what: 'slices'; readonly namespace: string; readonly name: string; readonly seen: readonly EndpointSliceObject[] }
  | { readonly what: 'secret' | 'opaque'; readonly namespace: string; readonly name: string; readonly seen: SecretObject | undefined };

interface Entry<T> {
  readonly attachKey: string;
  readonly contextKey: string;
  readonly inputs: readonly unknown[];
  readonly reads: readonly Read[];
  readonly value: T;
  /** The snapshot's readsVersion when the reads were last found unchanged (undefined: always check). */
  checkedAt: number | undefined;
}

export class GatewayRouteCache<T> {
  private entries = new WeakMap<RouteObject, Entry<T>>();
  /** Compilations reused and done since the cache was made (for tests and the bench). */
  hits = 0;
  misses = 0;

  /**
   * The route's compilation: the remembered one when nothing it read changed, else `compile`'s
   * (given a snapshot that records what it reads).
   */
  compile(
    route: RouteObject, attachKey: string, contextKey: string, inputs: readonly unknown[], snapshot: ClusterSnapshot,
    compile: (recording: ClusterSnapshot) => T,
  ): T {
    const kept = this.reuse(route, attachKey, contextKey, inputs, snapshot);
    if (kept !== undefined) return kept;
    this.misses += 1;
    const reads: Read[] = [];
    const checkedAt = snapshot.readsVersion?.();
    const value = compile(recording(snapshot, reads));
    this.entries.set(route, { attachKey, contextKey, inputs, reads, value, checkedAt });
    return value;
  }

  /** The remembered compilation when nothing it read changed; undefined otherwise (nothing is compiled). */
  reuse(route: RouteObject, attachKey: string, contextKey: string, inputs: readonly unknown[], snapshot: ClusterSnapshot): T | undefined {
    const entry = this.entries.get(route);
    if (entry === undefined || entry.attachKey !== attachKey || entry.contextKey !== contextKey || !sameList(entry.inputs, inputs)) return undefined;
    // No Service, slice or Secret changed since the reads were last checked: they read the same.
    const version = snapshot.readsVersion?.();
    if (version === undefined || version !== entry.checkedAt) {
      if (!stillRead(entry.reads, snapshot)) return undefined;
      entry.checkedAt = version;
    }
    this.hits += 1;
    return entry.value;
  }
}

function recording(snapshot: ClusterSnapshot, reads: Read[]): ClusterSnapshot {
  const note = <T>(what: Read['what'], look: (namespace: string, name: string) => T) => (namespace: string, name: string): T => {
    const seen = look(namespace, name);
    reads.push({ what, namespace, name, seen } as Read);
    return seen;
  };
  return {
    ingresses: () => snapshot.ingresses(),
    ingressClasses: () => snapshot.ingressClasses(),
    lookupService: note('service', (ns, n) => snapshot.lookupService(ns, n)),
    lookupEndpointSlices: note('slices', (ns, n) => snapshot.lookupEndpointSlices(ns, n)),
    lookupSecret: note('secret', (ns, n) => snapshot.lookupSecret(ns, n)),
    lookupOpaqueSecret: note('opaque', (ns, n) => snapshot.lookupOpaqueSecret(ns, n)),
    gatewayApi: () => snapshot.gatewayApi?.(),
  };
}

function stillRead(reads: readonly Read[], snapshot: ClusterSnapshot): boolean {
  return reads.every((r) => {
    switch (r.what) {
      case 'service': return snapshot.lookupService(r.namespace, r.name) === r.seen;
      case 'slices': return sameList(snapshot.lookupEndpointSlices(r.namespace, r.name), r.seen);
      case 'secret': return snapshot.lookupSecret(r.namespace, r.name) === r.seen;
      case 'opaque': return snapshot.lookupOpaqueSecret(r.namespace, r.name) === r.seen;
    }
  });
}

function sameList<V>(a: readonly V[], b: readonly V[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}
