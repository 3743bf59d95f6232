// The controller's view of the cluster. Every insert/remove answers "did this matter for the
// routing table?", so the reconcile loop rebuilds only on relevant change (contour's cache idea).
import { isDeepStrictEqual } from 'node:util';
import type {
  ClusterSnapshot, ConfigMapObject, EndpointSliceObject, IngressClassObject, IngressObject, SecretObject, ServiceObject,
} from './model.ts';
import { refKey } from './model.ts';
import { RefIndex } from './ref-index.ts';
import type { GatewayApiSnapshot } from './gateway-model.ts';
import { GatewayStore, type GatewayKind } from './gateway-store.ts';

/** 'Secret': kubernetes.io/tls Secrets; 'OpaqueSecret': Opaque ones (nginx auth-secret), watched apart. */
export type Kind = 'Ingress' | 'IngressClass' | 'Service' | 'EndpointSlice' | 'Secret' | 'OpaqueSecret' | 'ConfigMap' | 'Namespace' | GatewayKind;

/** nginx auth-secret: "name" or "namespace/name", read in the Ingress's namespace (routing refuses another). */
const AUTH_SECRET = 'nginx.ingress.kubernetes.io/auth-secret';
/** nginx default-backend: the name of a Service in the Ingress's namespace. */
const DEFAULT_BACKEND = 'nginx.ingress.kubernetes.io/default-backend';
/** nginx proxy-ssl-secret and auth-tls-secret, read the same way. */
const PROXY_SSL_SECRET = 'nginx.ingress.kubernetes.io/proxy-ssl-secret';
const AUTH_TLS_SECRET = 'nginx.ingress.kubernetes.io/auth-tls-secret';
/** nginx custom-headers: "namespace/name" (or "name") of a ConfigMap of response headers. */
const CUSTOM_HEADERS = 'nginx.ingress.kubernetes.io/custom-headers';
/** nginx auth-proxy-set-headers: the same, of request headers for auth-url's service. */
const AUTH_PROXY_SET_HEADERS = 'nginx.ingress.kubernetes.io/auth-proxy-set-headers';

export interface StateOptions {
  /** Services that matter even when no Ingress names them (e.g. the one published in status). */
  readonly watchedServices?: ReadonlySet<string>;
  /**
   * Serve only Ingresses in selected namespaces (--watch-namespace-selector): those added with
   * upsertNamespace. Until the first one is, nothing is selected. Other Ingresses are still held.
   */
  readonly selectNamespaces?: boolean;
}

const withoutStatus = (i: IngressObject): Omit<IngressObject, 'statusLoadBalancer'> => {
  const { statusLoadBalancer: _ignored, ...rest } = i;
  return rest;
};

export class ClusterState implements ClusterSnapshot {
  private readonly ingressMap = new Map<string, IngressObject>();
  private readonly classMap = new Map<string, IngressClassObject>();
  private readonly serviceMap = new Map<string, ServiceObject>();
  /** Keys of the Services with `generated` set. */
  private readonly generatedKeys = new Set<string>();
  private readonly sliceMap = new Map<string, EndpointSliceObject>();
  private readonly slicesByService = new Map<string, Map<string, EndpointSliceObject>>();
  private readonly secretMap = new Map<string, SecretObject>();
  private readonly opaqueSecretMap = new Map<string, SecretObject>();
  private readonly configMapMap = new Map<string, ConfigMapObject>();
  /** Selected namespaces (with selectNamespaces), by name. */
  private readonly namespaceMap = new Map<string, string>();
  private readonly serviceRefs = new RefIndex();
  private readonly secretRefs = new RefIndex();
  private readonly configMapRefs = new RefIndex();
  private sortedIngresses: readonly IngressObject[] | undefined;
  private lookupsChanged = 0;
  /** Gateway API objects (watched with --gateway-api); their routes' Services and Gateways' Secrets matter too. */
  readonly gateways = new GatewayStore();

  private readonly options: StateOptions;

  constructor(options: StateOptions = {}) {
    this.options = options;
  }

  // ---- ClusterSnapshot ------------------------------------------------------------------
  /** Every Ingress of a selected namespace (all of them without selectNamespaces), sorted. */
  ingresses(): readonly IngressObject[] {
    this.sortedIngresses ??= [...this.ingressMap.entries()]
      .filter(([, i]) => this.isSelected(i.namespace))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, i]) => i);
    return this.sortedIngresses;
  }

  /**
   * Every Ingress held, selected namespace or not (unsorted): the status writer clears our
   * address from Ingresses that stopped being served, including those whose namespace lost its label.
   */
  allIngresses(): Iterable<IngressObject> {
    return this.ingressMap.values();
  }

  ingressClasses(): readonly IngressClassObject[] {
    return [...this.classMap.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  lookupService(namespace: string, name: string): ServiceObject | undefined {
    return this.serviceMap.get(`${namespace}/${name}`);
  }

  lookupEndpointSlices(namespace: string, serviceName: string): readonly EndpointSliceObject[] {
    const slices = this.slicesByService.get(`${namespace}/${serviceName}`);
    return slices ? [...slices.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) : [];
  }

  /**
   * A TLS Secret only: an Opaque Secret of the same name must not count as the Ingress's TLS Secret
   * (ACME treats a spec.tls Secret that does not exist as its to create, and reports a foreign one).
   */
  lookupSecret(namespace: string, name: string): SecretObject | undefined {
    return this.secretMap.get(`${namespace}/${name}`);
  }

  lookupOpaqueSecret(namespace: string, name: string): SecretObject | undefined {
    return this.opaqueSecretMap.get(`${namespace}/${name}`);
  }

  lookupConfigMap(namespace: string, name: string): ConfigMapObject | undefined {
    return this.configMapMap.get(`${namespace}/${name}`);
  }

  /** Counts changes to what lookups answer (Services, EndpointSlices, Secrets): equal counts, equal answers. */
  readsVersion(): number {
    return this.lookupsChanged;
  }

  /** Notes that a lookup's answer changed when `changed`; returns it. */
  private read(changed: boolean): boolean {
    if (changed) this.lookupsChanged += 1;
    return changed;
  }

  /** Undefined while no Gateway, HTTPRoute or GRPCRoute is held, so an Ingress-only build skips it. */
  gatewayApi(): GatewayApiSnapshot | undefined {
    return this.gateways.isEmpty() ? undefined : this.gateways.snapshot();
  }

  lookupIngress(namespace: string, name: string): IngressObject | undefined {
    return this.ingressMap.get(`${namespace}/${name}`);
  }

  /** Ingresses whose spec.tls or nginx auth-secret, proxy-ssl-secret or auth-tls-secret names this Secret. */
  ingressesUsingSecret(namespace: string, name: string): readonly string[] {
    return this.secretRefs.lookup(`${namespace}/${name}`);
  }

  // ---- updates: each returns true when the routing table may change ----------------------
  // An object deep-equal to the one held (a relist, a resync) keeps the held object: routing/
  // remembers work by object identity, so an unchanged object must stay the same object.
  // An Ingress of a namespace that is not selected is held (it may be selected later) but does
  // not matter for the table.
  upsertIngress(i: IngressObject): boolean {
    const key = refKey(i);
    const old = this.ingressMap.get(key);
    if (old && isDeepStrictEqual(withoutStatus(old), withoutStatus(i))) {
      if (!isDeepStrictEqual(old.statusLoadBalancer, i.statusLoadBalancer)) this.ingressMap.set(key, i);
      return false;
    }
    this.ingressMap.set(key, i);
    this.sortedIngresses = undefined;
    this.serviceRefs.set(key, serviceTargets(i));
    this.secretRefs.set(key, secretTargets(i));
    this.configMapRefs.set(key, configMapTargets(i));
    return this.isSelected(i.namespace);
  }

  removeIngress(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    if (!this.ingressMap.delete(key)) return false;
    this.sortedIngresses = undefined;
    this.serviceRefs.delete(key);
    this.secretRefs.delete(key);
    this.configMapRefs.delete(key);
    return this.isSelected(namespace);
  }

  /** A namespace now matches the selector; a change of the selected set always matters. */
  upsertNamespace(name: string): boolean {
    if (this.namespaceMap.has(name)) return false;
    this.namespaceMap.set(name, name);
    this.sortedIngresses = undefined;
    return true;
  }

  /** A namespace no longer matches the selector (or is gone). */
  removeNamespace(name: string): boolean {
    if (!this.namespaceMap.delete(name)) return false;
    this.sortedIngresses = undefined;
    return true;
  }

  upsertIngressClass(c: IngressClassObject): boolean {
    return this.put(this.classMap, c.name, c);
  }

  removeIngressClass(name: string): boolean {
    return this.classMap.delete(name);
  }

  /** A Service Bollard generated for a Gateway matters too: the leader repairs it when it is changed or deleted. */
  upsertService(s: ServiceObject): boolean {
    const key = refKey(s);
    const wasGenerated = this.serviceMap.get(key)?.generated !== undefined;
    if (s.generated === undefined) this.generatedKeys.delete(key);
    else this.generatedKeys.add(key);
    return this.read(this.put(this.serviceMap, key, s)) && (this.serviceMatters(key) || wasGenerated || s.generated !== undefined);
  }

  removeService(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    const wasGenerated = this.generatedKeys.delete(key);
    return this.read(this.serviceMap.delete(key)) && (this.serviceMatters(key) || wasGenerated);
  }

  /** The Services Bollard generated for Gateways (generated-service.ts), any controller's. */
  generatedServices(): ServiceObject[] {
    return [...this.generatedKeys].flatMap((key) => this.serviceMap.get(key) ?? []);
  }

  upsertEndpointSlice(s: EndpointSliceObject): boolean {
    const key = refKey(s);
    const old = this.sliceMap.get(key);
    if (!this.read(this.put(this.sliceMap, key, s))) return false;
    if (old) this.slicesByService.get(`${old.namespace}/${old.serviceName}`)?.delete(key);
    const svcKey = `${s.namespace}/${s.serviceName}`;
    let slices = this.slicesByService.get(svcKey);
    if (!slices) this.slicesByService.set(svcKey, (slices = new Map<string, EndpointSliceObject>()));
    slices.set(key, s);
    return this.serviceMatters(svcKey) || (old !== undefined && this.serviceMatters(`${old.namespace}/${old.serviceName}`));
  }

  removeEndpointSlice(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    const old = this.sliceMap.get(key);
    if (old === undefined) return false;
    this.read(true);
    this.sliceMap.delete(key);
    const svcKey = `${old.namespace}/${old.serviceName}`;
    const slices = this.slicesByService.get(svcKey);
    slices?.delete(key);
    if (slices?.size === 0) this.slicesByService.delete(svcKey);
    return this.serviceMatters(svcKey);
  }

  upsertSecret(s: SecretObject): boolean {
    return this.read(this.put(this.secretMap, refKey(s), s)) && this.secretMatters(refKey(s));
  }

  removeSecret(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    return this.read(this.secretMap.delete(key)) && this.secretMatters(key);
  }

  upsertOpaqueSecret(s: SecretObject): boolean {
    return this.read(this.put(this.opaqueSecretMap, refKey(s), s)) && this.opaqueSecretMatters(refKey(s));
  }

  removeOpaqueSecret(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    return this.read(this.opaqueSecretMap.delete(key)) && this.opaqueSecretMatters(key);
  }

  /** A ConfigMap matters when an Ingress's nginx custom-headers or auth-proxy-set-headers names it. */
  upsertConfigMap(c: ConfigMapObject): boolean {
    return this.put(this.configMapMap, refKey(c), c) && this.configMapRefs.has(refKey(c));
  }

  removeConfigMap(namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    return this.configMapMap.delete(key) && this.configMapRefs.has(key);
  }

  /** Replaces every object of one kind (after a relist); true when anything relevant changed. */
  replaceAll<T>(items: readonly T[], current: () => readonly string[], keyOf: (t: T) => string, upsert: (t: T) => boolean, remove: (key: string) => boolean): boolean {
    const fresh = new Set(items.map(keyOf));
    let changed = false;
    for (const key of current()) if (!fresh.has(key)) changed = remove(key) || changed;
    for (const item of items) changed = upsert(item) || changed;
    return changed;
  }

  keys(kind: Kind): readonly string[] {
    const maps: Record<Exclude<Kind, GatewayKind>, Map<string, unknown>> = {
      Ingress: this.ingressMap, IngressClass: this.classMap, Service: this.serviceMap, EndpointSlice: this.sliceMap,
      Secret: this.secretMap, OpaqueSecret: this.opaqueSecretMap, ConfigMap: this.configMapMap, Namespace: this.namespaceMap,
    };
    return Object.hasOwn(maps, kind) ? [...maps[kind as Exclude<Kind, GatewayKind>].keys()] : this.gateways.keys(kind as GatewayKind);
  }

  private put<T>(map: Map<string, T>, key: string, value: T): boolean {
    const old = map.get(key);
    if (old !== undefined && isDeepStrictEqual(old, value)) return false;
    map.set(key, value);
    return true;
  }

  private isSelected(namespace: string): boolean {
    return this.options.selectNamespaces !== true || this.namespaceMap.has(namespace);
  }

  private serviceMatters(key: string): boolean {
    return this.serviceRefs.has(key) || this.gateways.usesService(key) || (this.options.watchedServices?.has(key) ?? false);
  }

  /** nginx auth and proxy-ssl Secrets, and Gateways' frontend CA Secrets (ca.crt). */
  private opaqueSecretMatters(key: string): boolean {
    return this.secretRefs.has(key) || this.gateways.usesSecret(key);
  }

  private secretMatters(key: string): boolean {
    return this.secretRefs.has(key) || this.gateways.usesSecret(key);
  }
}

function serviceTargets(i: IngressObject): string[] {
  const names = new Set<string>();
  if (i.defaultBackend?.service) names.add(i.defaultBackend.service.name);
  for (const r of i.rules) for (const p of r.paths) if (p.backend.service) names.add(p.backend.service.name);
  const fallback = i.annotations[DEFAULT_BACKEND];
  if (fallback !== undefined && fallback !== '' && !fallback.includes('/')) names.add(fallback);
  return [...names].map((n) => `${i.namespace}/${n}`);
}

/** The Secrets an Ingress names: spec.tls, and the nginx auth-secret, proxy-ssl-secret and auth-tls-secret (its own namespace). */
function secretTargets(i: IngressObject): string[] {
  const targets = i.tls.flatMap((t) => (t.secretName ? [`${i.namespace}/${t.secretName}`] : []));
  for (const written of [i.annotations[AUTH_SECRET], i.annotations[PROXY_SSL_SECRET], i.annotations[AUTH_TLS_SECRET]]) {
    if (written !== undefined && written !== '') targets.push(written.includes('/') ? written : `${i.namespace}/${written}`);
  }
  return targets;
}

/** The ConfigMaps an Ingress's nginx custom-headers and auth-proxy-set-headers name ("name" is in its own namespace). */
function configMapTargets(i: IngressObject): string[] {
  const targets: string[] = [];
  for (const annotation of [CUSTOM_HEADERS, AUTH_PROXY_SET_HEADERS]) {
    const written = i.annotations[annotation];
    if (written !== undefined && written !== '') targets.push(written.includes('/') ? written : `${i.namespace}/${written}`);
  }
  return targets;
}
