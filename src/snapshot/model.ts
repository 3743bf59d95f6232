// The slim, readonly projections of Kubernetes objects that the rest of Bollard works on.
// kube/ converts raw API JSON into these; routing/ never sees the Kubernetes client's types.
import type { GeneratedServiceMeta } from './generated-service.ts';
import type { GatewayApiSnapshot } from './gateway-model.ts';

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export interface ServiceBackendPort {
  readonly number?: number;
  readonly name?: string;
}

export interface IngressBackend {
  readonly service?: { readonly name: string; readonly port: ServiceBackendPort };
  /** A resource backend (spec.defaultBackend.resource): Bollard cannot route to it. */
  readonly resource?: { readonly apiGroup?: string; readonly kind: string; readonly name: string };
}

export interface IngressPath {
  readonly path?: string;
  /** "Exact" | "Prefix" | "ImplementationSpecific"; anything else is reported as invalid. */
  readonly pathType: string;
  readonly backend: IngressBackend;
}

export interface IngressRule {
  readonly host?: string;
  readonly paths: readonly IngressPath[];
}

export interface IngressTLS {
  readonly hosts: readonly string[];
  readonly secretName?: string;
}

export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
}

export interface IngressObject extends ObjectRef {
  readonly uid: string;
  readonly generation: number;
  /** RFC 3339, as the API server writes it; conflicts go to the oldest. */
  readonly creationTimestamp: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly ingressClassName?: string;
  readonly defaultBackend?: IngressBackend;
  readonly rules: readonly IngressRule[];
  readonly tls: readonly IngressTLS[];
  readonly statusLoadBalancer: readonly LoadBalancerIngress[];
}

export interface IngressClassObject {
  readonly name: string;
  readonly controller: string;
  /** ingressclass.kubernetes.io/is-default-class: "true" */
  readonly isDefault: boolean;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
  readonly targetPort?: number | string;
  readonly appProtocol?: string;
}

export interface ServiceObject extends ObjectRef {
  /** "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName" */
  readonly type: string;
  readonly externalName?: string;
  readonly clusterIP?: string;
  readonly externalIPs: readonly string[];
  readonly ports: readonly ServicePort[];
  readonly statusLoadBalancer: readonly LoadBalancerIngress[];
  /** Set only on a Service Bollard generated for a Gateway (generated-service.ts). */
  readonly generated?: GeneratedServiceMeta;
}

export interface EndpointSlicePort {
  /** Same as the Service port's name ("" when the Service port is unnamed). */
  readonly name: string;
  readonly port?: number;
  readonly protocol: string;
  readonly appProtocol?: string;
}

export interface EndpointAddress {
  readonly addresses: readonly string[];
  /** conditions.ready; the API says nil means ready. */
  readonly ready: boolean;
}

export interface EndpointSliceObject extends ObjectRef {
  /** From the label kubernetes.io/service-name. */
  readonly serviceName: string;
  /** "IPv4" | "IPv6" | "FQDN" */
  readonly addressType: string;
  readonly ports: readonly EndpointSlicePort[];
  readonly endpoints: readonly EndpointAddress[];
}

export interface SecretObject extends ObjectRef {
  readonly type: string;
  /** Decoded values of data keys (tls.crt, tls.key, ...). */
  readonly data: Readonly<Record<string, Buffer>>;
}

/** A ConfigMap's string data (binaryData is not kept). */
export interface ConfigMapObject extends ObjectRef {
  readonly data: Readonly<Record<string, string>>;
}

/** The read side of the cluster state that routing/ builds from. */
export interface ClusterSnapshot {
  /** Every Ingress served from (all, or those of the selected namespaces), sorted by namespace then name. */
  ingresses(): readonly IngressObject[];
  ingressClasses(): readonly IngressClassObject[];
  lookupService(namespace: string, name: string): ServiceObject | undefined;
  /** Slices whose kubernetes.io/service-name is `serviceName`, sorted by name. */
  lookupEndpointSlices(namespace: string, serviceName: string): readonly EndpointSliceObject[];
  /** A kubernetes.io/tls Secret (spec.tls, ACME): the kind the TLS and ACME code reads. */
  lookupSecret(namespace: string, name: string): SecretObject | undefined;
  /** An Opaque Secret (nginx auth-secret htpasswd files), watched apart from the TLS ones. */
  lookupOpaqueSecret(namespace: string, name: string): SecretObject | undefined;
  /** A ConfigMap (nginx custom-headers); absent: none are held. */
  lookupConfigMap?(namespace: string, name: string): ConfigMapObject | undefined;
  /** Gateway API objects (gateway-model.ts); absent or undefined: none (an Ingress-only build). */
  gatewayApi?(): GatewayApiSnapshot | undefined;
  /**
   * Changes with every change to what lookupService, lookupEndpointSlices, lookupSecret and
   * lookupOpaqueSecret answer; absent: unknown (caches check their reads every build).
   */
  readsVersion?(): number;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}
