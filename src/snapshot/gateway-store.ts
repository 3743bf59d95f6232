// The Gateway API part of the cluster state: GatewayClasses, Gateways, ListenerSets, HTTPRoutes,
// GRPCRoutes and ReferenceGrants, with the reverse indexes that make relevance a map lookup: route → parent
// Gateways, Gateway → certificate and CA Secrets, Gateway → CA ConfigMaps, route → backend
// Services. Like ClusterState, every
// update answers "may the routing table change?"; status-only changes are held (the status writer
// merges into them) but do not matter.
import { isDeepStrictEqual } from 'node:util';
import type {
  BackendRef, BackendTlsPolicyObject, ConfigMapCa, GatewayApiSnapshot, PolicyAncestorStatus, GatewayClassObject, GatewayObject, GrpcRouteObject, HttpRouteObject, ListenerSetObject, ReferenceGrantObject,
  RouteObject, RouteParentStatus, TcpRouteObject, TlsRouteObject,
} from './gateway-model.ts';
import { refKey } from './model.ts';
import { RefIndex } from './ref-index.ts';

/**
 * GatewayNamespace: every namespace's labels, for listeners' allowedRoutes namespace selectors.
 * GatewayConfigMap: every ConfigMap's ca.crt (fed by the one ConfigMap informer, kube/configmap-resource.ts), for
 *   BackendTLSPolicy caCertificateRefs and Gateways' frontend client-certificate validation.
 */
export type GatewayKind =
  | 'GatewayClass' | 'Gateway' | 'ListenerSet' | 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'ReferenceGrant' | 'BackendTLSPolicy' | 'GatewayNamespace' | 'GatewayConfigMap';

const sortedValues = <T>(map: ReadonlyMap<string, T>): T[] =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

/** The object without its status fields. */
function withoutStatus<T extends object>(o: T, fields: readonly (keyof T)[]): Partial<T> {
  const rest: Partial<T> = { ...o };
  for (const f of fields) Reflect.deleteProperty(rest, f);
  return rest;
}

export class GatewayStore {
  private readonly classes = new Map<string, GatewayClassObject>();
  private readonly gateways = new Map<string, GatewayObject>();
  private readonly listenerSets = new Map<string, ListenerSetObject>();
  private readonly httpRoutes = new Map<string, HttpRouteObject>();
  private readonly grpcRoutes = new Map<string, GrpcRouteObject>();
  private readonly tlsRoutes = new Map<string, TlsRouteObject>();
  private readonly tcpRoutes = new Map<string, TcpRouteObject>();
  private readonly grants = new Map<string, ReferenceGrantObject>();
  private readonly namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  private readonly policies = new Map<string, BackendTlsPolicyObject>();
  private readonly configMaps = new Map<string, ConfigMapCa>();
  /** "ns/name" of a BackendTLSPolicy → its caCertificateRefs' ConfigMaps "ns/name". */
  private readonly policyConfigMaps = new RefIndex();
  /** "ns/name" of a BackendTLSPolicy → our status.ancestors entries as the status leader last wrote them. */
  private readonly writtenAncestors = new Map<string, readonly PolicyAncestorStatus[]>();
  /** "HTTPRoute:ns/name" → our status.parents entries as the status leader last wrote them. */
  private readonly writtenParents = new Map<string, readonly RouteParentStatus[]>();
  /** "HTTPRoute:ns/name" → parent Gateways "ns/name". */
  private readonly routeParents = new RefIndex();
  /** Gateway "ns/name" (or "ListenerSet:ns/name") → certificate Secrets and frontend CA Secrets "ns/name". */
  private readonly gatewaySecrets = new RefIndex();
  /** Gateway "ns/name" → frontend CA ConfigMaps "ns/name". */
  private readonly gatewayConfigMaps = new RefIndex();
  /** "HTTPRoute:ns/name" → backend Services "ns/name". */
  private readonly routeServices = new RefIndex();
  private cached: GatewayApiSnapshot | undefined;
  /**
   * A held object that replaced another for its status only → the object snapshots keep handing out
   * (the first with that spec). Routing never reads those status fields, and its caches key on
   * objects: thousands of status echoes must not look like thousands of changed routes to the next build.
   */
  private readonly routable = new WeakMap<object, object>();
  /**
   * --gateway-controller-name: a status-only route change matters when it changes our status.parents
   * entries (another controller's write may have dropped them), so the status leader writes them again.
   */
  controllerName = '';

  /** The objects routing/ builds from; the same object until something relevant changes. */
  snapshot(): GatewayApiSnapshot {
    if (this.cached === undefined) {
      // A copy: the snapshot stays what it was when built, whatever the watch delivers later.
      const labels = new Map(this.namespaceLabels);
      const policies = this.routableValues(this.policies);
      const configMaps = this.referencedConfigMaps(policies);
      this.cached = {
        gatewayClasses: this.routableValues(this.classes),
        gateways: this.routableValues(this.gateways),
        listenerSets: this.routableValues(this.listenerSets),
        routes: [...this.routableValues(this.httpRoutes), ...this.routableValues(this.grpcRoutes), ...this.routableValues(this.tlsRoutes), ...this.routableValues(this.tcpRoutes)],
        referenceGrants: sortedValues(this.grants),
        backendTlsPolicies: policies,
        lookupConfigMapCa: (namespace, name) => configMaps.get(`${namespace}/${name}`),
        namespaceLabels: (namespace) => labels.get(namespace),
      };
    }
    return this.cached;
  }

  private routableOf<T extends object>(held: T): T {
    return (this.routable.get(held) as T | undefined) ?? held;
  }

  /** A map's objects sorted by key, each as snapshots hand it out (routableOf). */
  private routableValues<T extends object>(map: ReadonlyMap<string, T>): T[] {
    return sortedValues(map).map((v) => this.routableOf(v));
  }

  /** The ConfigMaps policies and Gateways' frontend validation name, copied so the snapshot stays what it was. */
  private referencedConfigMaps(policies: readonly BackendTlsPolicyObject[]): Map<string, ConfigMapCa> {
    const out = new Map<string, ConfigMapCa>();
    const keys = [...policies.flatMap((p) => this.policyConfigMaps.targetsOf(refKey(p))), ...[...this.gateways.values()].flatMap((g) => caRefs(g, 'ConfigMap'))];
    for (const key of keys) {
      const found = this.configMaps.get(key);
      if (found !== undefined) out.set(key, found);
    }
    return out;
  }

  /** Whether any Gateway API object is held (an Ingress-only cluster skips the Gateway build). */
  isEmpty(): boolean {
    return this.classes.size === 0 && this.gateways.size === 0 && this.listenerSets.size === 0 && this.httpRoutes.size === 0 && this.grpcRoutes.size === 0 && this.tlsRoutes.size === 0 && this.tcpRoutes.size === 0;
  }

  usesService(key: string): boolean {
    return this.routeServices.has(key);
  }

  usesSecret(key: string): boolean {
    return this.gatewaySecrets.has(key);
  }

  /** Whether a Gateway's frontend validation names this ConfigMap ("ns/name"). */
  usesConfigMap(key: string): boolean {
    return this.gatewayConfigMaps.has(key);
  }

  /** Routes ("HTTPRoute:ns/name") that name this Gateway as a parent. */
  routesOfGateway(namespace: string, name: string): readonly string[] {
    return this.routeParents.lookup(`${namespace}/${name}`);
  }

  /** Gateways ("ns/name") whose listeners name this Secret. */
  gatewaysUsingSecret(namespace: string, name: string): readonly string[] {
    return this.gatewaySecrets.lookup(`${namespace}/${name}`);
  }

  lookupGateway(namespace: string, name: string): GatewayObject | undefined {
    return this.gateways.get(`${namespace}/${name}`);
  }

  lookupRoute(kind: RouteObject['kind'], namespace: string, name: string): RouteObject | undefined {
    return this.routesOfKind(kind).get(`${namespace}/${name}`);
  }

  /** Every route held (the latest object, status included), for the status writer. */
  allRoutes(): Iterable<RouteObject> {
    return [...this.httpRoutes.values(), ...this.grpcRoutes.values(), ...this.tlsRoutes.values(), ...this.tcpRoutes.values()];
  }

  private routesOfKind(kind: RouteObject['kind']): Map<string, RouteObject> {
    const maps: Record<RouteObject['kind'], Map<string, RouteObject>> = { HTTPRoute: this.httpRoutes, GRPCRoute: this.grpcRoutes, TLSRoute: this.tlsRoutes, TCPRoute: this.tcpRoutes };
    return maps[kind];
  }

  lookupGatewayClass(name: string): GatewayClassObject | undefined {
    return this.classes.get(name);
  }

  upsertGatewayClass(c: GatewayClassObject): boolean {
    return this.put(this.classes, c.name, c, ['conditions']);
  }

  removeGatewayClass(name: string): boolean {
    return this.drop(this.classes, name);
  }

  upsertGateway(g: GatewayObject): boolean {
    const key = refKey(g);
    // status.addresses matter: a Gateway keeps the address its status holds (--gateway-addresses),
    // so the table follows what the status leader wrote.
    if (!this.put(this.gateways, key, g, ['conditions', 'listenerStatus', 'attachedListenerSets'])) return false;
    const secrets = g.listeners.flatMap((l) => l.certificateRefs.map((r) => `${r.namespace ?? g.namespace}/${r.name}`));
    const client = g.backendClientCertificateRef;
    if (client !== undefined) secrets.push(`${client.namespace ?? g.namespace}/${client.name}`);
    this.gatewaySecrets.set(key, [...new Set([...secrets, ...caRefs(g, 'Secret')])]);
    this.gatewayConfigMaps.set(key, [...new Set(caRefs(g, 'ConfigMap'))]);
    return true;
  }

  removeGateway(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    this.gatewaySecrets.delete(key);
    this.gatewayConfigMaps.delete(key);
    return this.drop(this.gateways, key);
  }

  /** A ListenerSet whose spec changed matters (its parent may be ours); a status-only change does not. */
  upsertListenerSet(l: ListenerSetObject): boolean {
    const key = refKey(l);
    if (!this.put(this.listenerSets, key, l, ['conditions', 'listenerStatus'])) return false;
    const secrets = l.listeners.flatMap((x) => x.certificateRefs.map((r) => `${r.namespace ?? l.namespace}/${r.name}`));
    this.gatewaySecrets.set(`ListenerSet:${key}`, [...new Set(secrets)]);
    return true;
  }

  removeListenerSet(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    this.gatewaySecrets.delete(`ListenerSet:${key}`);
    return this.drop(this.listenerSets, key);
  }

  lookupListenerSet(namespace: string, name: string): ListenerSetObject | undefined {
    return this.listenerSets.get(`${namespace}/${name}`);
  }

  upsertRoute(r: RouteObject): boolean {
    const map = this.routesOfKind(r.kind);
    const key = refKey(r);
    const old = map.get(key);
    if (!this.put(map, key, r, ['statusParents', 'resourceVersion'])) return old !== undefined && this.ourParentsChanged(old, r);
    const source = `${r.kind}:${key}`;
    this.routeParents.set(source, [...new Set(r.parentRefs.map((p) => `${p.namespace ?? r.namespace}/${p.name}`))]);
    const rules: readonly { readonly backendRefs: readonly BackendRef[] }[] = r.rules;
    const services = rules.flatMap((rule) => rule.backendRefs.map((b) => `${b.namespace ?? r.namespace}/${b.name}`));
    this.routeServices.set(source, [...new Set(services)]);
    return true;
  }

  removeRoute(kind: RouteObject['kind'], namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    this.writtenParents.delete(`${kind}:${key}`);
    this.routeParents.delete(`${kind}:${key}`);
    this.routeServices.delete(`${kind}:${key}`);
    return this.drop(this.routesOfKind(kind), key);
  }

  upsertReferenceGrant(g: ReferenceGrantObject): boolean {
    const key = refKey(g);
    const old = this.grants.get(key);
    if (old !== undefined && isDeepStrictEqual(old, g)) return false;
    this.grants.set(key, g);
    this.cached = undefined;
    return true;
  }

  removeReferenceGrant(namespace: string, name: string): boolean {
    return this.drop(this.grants, `${namespace}/${name}`);
  }

  upsertBackendTlsPolicy(p: BackendTlsPolicyObject): boolean {
    const key = refKey(p);
    const old = this.policies.get(key);
    if (!this.put(this.policies, key, p, ['statusAncestors'])) return old !== undefined && this.ourAncestorsChanged(old, p);
    this.policyConfigMaps.set(key, [...new Set(p.caCertificateRefs.filter((r) => r.group === '' && r.kind === 'ConfigMap').map((r) => `${p.namespace}/${r.name}`))]);
    return true;
  }

  removeBackendTlsPolicy(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    this.policyConfigMaps.delete(key);
    this.writtenAncestors.delete(key);
    return this.drop(this.policies, key);
  }

  lookupBackendTlsPolicy(namespace: string, name: string): BackendTlsPolicyObject | undefined {
    return this.policies.get(`${namespace}/${name}`);
  }

  /** Every policy held (the latest object, status included), for the status writer. */
  allBackendTlsPolicies(): Iterable<BackendTlsPolicyObject> {
    return this.policies.values();
  }

  /** Held whatever names it (a policy or Gateway may come later); matters when one names it. */
  upsertConfigMap(c: ConfigMapCa): boolean {
    const key = refKey(c);
    const old = this.configMaps.get(key);
    if (old !== undefined && old.caCrt === c.caCrt) return false;
    this.configMaps.set(key, c);
    return this.configMapMatters(key);
  }

  removeConfigMap(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    return this.configMaps.delete(key) && this.configMapMatters(key);
  }

  private configMapMatters(key: string): boolean {
    if (!this.policyConfigMaps.has(key) && !this.gatewayConfigMaps.has(key)) return false;
    this.cached = undefined;
    return true;
  }

  /** The status leader wrote these ancestors of ours: their echo from the watch is no news. */
  noteOurAncestors(policy: BackendTlsPolicyObject, ours: readonly PolicyAncestorStatus[]): void {
    this.writtenAncestors.set(refKey(policy), ours);
  }

  forgetOurAncestors(policy: BackendTlsPolicyObject): void {
    this.writtenAncestors.delete(refKey(policy));
  }

  private ourAncestorsChanged(old: BackendTlsPolicyObject, next: BackendTlsPolicyObject): boolean {
    const ours = (p: BackendTlsPolicyObject) => p.statusAncestors.filter((a) => a.controllerName === this.controllerName);
    if (this.controllerName === '' || isDeepStrictEqual(ours(old), ours(next))) return false;
    const written = this.writtenAncestors.get(refKey(next));
    return written === undefined || !isDeepStrictEqual(written, ours(next));
  }

  /** Matters only while some listener selects namespaces by label (a new Gateway rebuilds anyway). */
  upsertNamespace(name: string, labels: Readonly<Record<string, string>>): boolean {
    const old = this.namespaceLabels.get(name);
    if (old !== undefined && isDeepStrictEqual(old, labels)) return false;
    this.namespaceLabels.set(name, labels);
    this.cached = undefined;
    return this.selectsNamespaces();
  }

  removeNamespace(name: string): boolean {
    if (!this.namespaceLabels.delete(name)) return false;
    this.cached = undefined;
    return this.selectsNamespaces();
  }

  private selectsNamespaces(): boolean {
    for (const g of this.gateways.values()) if (g.allowedListeners?.from === 'Selector' || g.listeners.some((l) => l.allowedFrom === 'Selector')) return true;
    for (const l of this.listenerSets.values()) if (l.listeners.some((x) => x.allowedFrom === 'Selector')) return true;
    return false;
  }

  keys(kind: GatewayKind): readonly string[] {
    const maps: Record<GatewayKind, Map<string, unknown>> = {
      GatewayClass: this.classes, Gateway: this.gateways, ListenerSet: this.listenerSets, HTTPRoute: this.httpRoutes, GRPCRoute: this.grpcRoutes, TLSRoute: this.tlsRoutes, TCPRoute: this.tcpRoutes, ReferenceGrant: this.grants,
      BackendTLSPolicy: this.policies, GatewayNamespace: this.namespaceLabels, GatewayConfigMap: this.configMaps,
    };
    return [...maps[kind].keys()];
  }

  /** The status leader wrote these entries of ours: their echo from the watch is no news. */
  noteOurParents(route: RouteObject, ours: readonly RouteParentStatus[]): void {
    this.writtenParents.set(`${route.kind}:${refKey(route)}`, ours);
  }

  forgetOurParents(route: RouteObject): void {
    this.writtenParents.delete(`${route.kind}:${refKey(route)}`);
  }

  /** Our entries changed, and not to what we wrote: another writer dropped or changed them. */
  private ourParentsChanged(old: RouteObject, next: RouteObject): boolean {
    const ours = (r: RouteObject) => r.statusParents.filter((p) => p.controllerName === this.controllerName);
    if (this.controllerName === '' || isDeepStrictEqual(ours(old), ours(next))) return false;
    const written = this.writtenParents.get(`${next.kind}:${refKey(next)}`);
    return written === undefined || !isDeepStrictEqual(written, ours(next));
  }

  /**
   * Holds the object; true when it differs from the held one outside `status`. A status-only change
   * replaces the held object (the status writer reads it) but keeps the snapshot as it was.
   */
  private put<T extends object>(map: Map<string, T>, key: string, value: T, status: readonly (keyof T)[]): boolean {
    const old = map.get(key);
    if (old !== undefined && isDeepStrictEqual(withoutStatus(old, status), withoutStatus(value, status))) {
      if (!isDeepStrictEqual(old, value)) {
        map.set(key, value);
        this.routable.set(value, this.routableOf(old));
      }
      return false;
    }
    map.set(key, value);
    this.cached = undefined;
    return true;
  }

  private drop(map: Map<string, unknown>, key: string): boolean {
    if (!map.delete(key)) return false;
    this.cached = undefined;
    return true;
  }
}

/** The "ns/name" of a Gateway's frontend caCertificateRefs of a core kind. */
function caRefs(g: GatewayObject, kind: 'ConfigMap' | 'Secret'): string[] {
  const f = g.frontendTls;
  if (f === undefined) return [];
  const validations = [f.defaultValidation, ...f.perPort.map((p) => p.validation)];
  return validations.flatMap((v) => (v?.caCertificateRefs ?? []).filter((r) => r.group === '' && r.kind === kind).map((r) => `${r.namespace ?? g.namespace}/${r.name}`));
}
