// The slim, readonly projections of Gateway API (gateway.networking.k8s.io/v1) objects. kube/
// converts raw JSON into these (convert-gateway.ts); routing/ compiles them (routing/gateway/).
// Status is kept only where Bollard must merge into it (route parents written by other controllers).
import type { ObjectRef } from './model.ts';

/** A condition as the API holds it; lastTransitionTime is kept when the status is unchanged. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

interface GatewayApiMeta extends ObjectRef {
  readonly uid: string;
  readonly generation: number;
  /** RFC 3339; conflicts go to the oldest. */
  readonly creationTimestamp: string;
}

export interface GatewayClassObject {
  readonly name: string;
  readonly generation: number;
  readonly controllerName: string;
  readonly conditions: readonly Condition[];
}

/** A reference as Gateway API writes it: group "" is the core group, namespace defaults to the referrer's. */
export interface TypedRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface RouteKindRef {
  readonly group: string;
  readonly kind: string;
}

export interface Listener {
  readonly name: string;
  /** Lower-case; undefined matches every host. */
  readonly hostname?: string;
  readonly port: number;
  /** "HTTP" | "HTTPS" | "TLS" | "TCP" | "UDP" | ... */
  readonly protocol: string;
  /** "Terminate" (the default) | "Passthrough"; only HTTPS/TLS listeners carry it. */
  readonly tlsMode?: string;
  readonly certificateRefs: readonly TypedRef[];
  /** allowedRoutes.namespaces.from: "Same" (the default) | "All" | "Selector". */
  readonly allowedFrom: string;
  /** allowedRoutes.namespaces.selector, for "Selector". */
  readonly allowedSelector?: LabelSelectorSpec;
  /** allowedRoutes.kinds; empty: the kinds the listener's protocol allows. */
  readonly allowedKinds: readonly RouteKindRef[];
}

export interface ListenerStatus {
  readonly name: string;
  readonly attachedRoutes: number;
  readonly conditions: readonly Condition[];
}

/** spec.tls.frontend.*.validation: the CAs that client certificates are checked against. */
export interface FrontendValidation {
  /** ObjectReferences (no kind default): Bollard reads `ca.crt` of ConfigMaps and Secrets. */
  readonly caCertificateRefs: readonly TypedRef[];
  /** "AllowValidOnly" (the default) | "AllowInsecureFallback" */
  readonly mode: string;
}

/** spec.tls.frontend: client-certificate validation for the Gateway's HTTPS listeners. */
export interface FrontendTls {
  /** default.validation; undefined: no validation unless a port's entry sets one. */
  readonly defaultValidation?: FrontendValidation;
  /** perPort: an entry overrides the default for its port's listeners, with its own validation or none. */
  readonly perPort: readonly { readonly port: number; readonly validation?: FrontendValidation }[];
}

/** spec.allowedListeners.namespaces: which namespaces' ListenerSets may attach ("None" when unset). */
export interface AllowedListeners {
  /** "None" (the default) | "Same" | "All" | "Selector" */
  readonly from: string;
  readonly selector?: LabelSelectorSpec;
}

/** spec.infrastructure: metadata for what an implementation generates for the Gateway, and its parameters. */
export interface GatewayInfrastructure {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** parametersRef: Bollard takes no parameters object, so a Gateway naming one is not accepted. */
  readonly parametersRef?: { readonly group: string; readonly kind: string; readonly name: string };
}

export interface GatewayObject extends GatewayApiMeta {
  readonly gatewayClassName: string;
  readonly listeners: readonly Listener[];
  /** spec.allowedListeners; undefined: no ListenerSet may attach. */
  readonly allowedListeners?: AllowedListeners;
  /** spec.addresses: the addresses asked for; type defaults to IPAddress, value may be "" (any). */
  readonly specAddresses: readonly { readonly type: string; readonly value: string }[];
  /** spec.tls.frontend; absent when the Gateway has none. */
  readonly frontendTls?: FrontendTls;
  /** status.conditions and status.listeners, as written (by us). */
  readonly conditions: readonly Condition[];
  readonly listenerStatus: readonly ListenerStatus[];
  /** status.addresses values, as written (by us): a Gateway keeps the address it was given. */
  readonly statusAddresses: readonly string[];
  /** status.attachedListenerSets, as written (by us); undefined when unset. */
  readonly attachedListenerSets?: number;
  /** spec.tls.backend.clientCertificateRef: the certificate the Gateway shows to TLS backends. */
  readonly backendClientCertificateRef?: TypedRef;
  /** spec.infrastructure; absent when the Gateway has none. */
  readonly infrastructure?: GatewayInfrastructure;
}

/**
 * gateway.networking.k8s.io/v1 ListenerSet: more listeners for a Gateway (its parentRef), which
 * join the Gateway's own when the Gateway's allowedListeners admits the ListenerSet's namespace.
 */
export interface ListenerSetObject extends GatewayApiMeta {
  /** spec.parentRef: a Gateway (group and kind defaulted); namespace defaults to the ListenerSet's. */
  readonly parentRef: TypedRef;
  readonly listeners: readonly Listener[];
  /** status.conditions and status.listeners, as written (by us). */
  readonly conditions: readonly Condition[];
  readonly listenerStatus: readonly ListenerStatus[];
}

export interface ParentRef {
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

/** One status.parents entry of a route, as written by whichever controller owns it. */
export interface RouteParentStatus {
  readonly parentRef: ParentRef;
  readonly controllerName: string;
  readonly conditions: readonly Condition[];
}

export interface StringMatch {
  /** "Exact" | "RegularExpression" (headers, query params) */
  readonly type: string;
  readonly name: string;
  readonly value: string;
}

export interface HttpRouteMatch {
  /** Default: PathPrefix "/". */
  readonly path: { readonly type: string; readonly value: string };
  readonly headers: readonly StringMatch[];
  readonly queryParams: readonly StringMatch[];
  readonly method?: string;
}

export interface HeaderFilter {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

export interface PathModifier {
  /** "ReplaceFullPath" | "ReplacePrefixMatch" */
  readonly type: string;
  readonly value: string;
}

export interface RouteFilter {
  /** "RequestHeaderModifier" | "ResponseHeaderModifier" | "RequestRedirect" | "URLRewrite" | "CORS" | "RequestMirror" | others (unsupported). */
  readonly type: string;
  readonly requestHeaderModifier?: HeaderFilter;
  readonly responseHeaderModifier?: HeaderFilter;
  readonly requestRedirect?: {
    readonly scheme?: string;
    readonly hostname?: string;
    readonly path?: PathModifier;
    readonly port?: number;
    readonly statusCode: number;
  };
  readonly urlRewrite?: { readonly hostname?: string; readonly path?: PathModifier };
  readonly cors?: CorsFilter;
  readonly requestMirror?: RequestMirrorFilter;
}

/** HTTPCORSFilter with the spec's defaults applied (allowCredentials false, maxAge 5). */
export interface CorsFilter {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge: number;
}

/** A copy of each sampled request goes to `backendRef`; neither `percent` nor `fraction`: every request. */
export interface RequestMirrorFilter {
  readonly backendRef: BackendRef;
  /** 0–100. */
  readonly percent?: number;
  /** numerator / denominator (default 100). */
  readonly fraction?: { readonly numerator: number; readonly denominator: number };
}

export interface BackendRef extends TypedRef {
  readonly port?: number;
  /** Default 1; 0 sends nothing there. */
  readonly weight: number;
  /** Applied only to requests sent to this backend, after the rule's filters. */
  readonly filters: readonly RouteFilter[];
}

export interface HttpRouteRule {
  readonly matches: readonly HttpRouteMatch[];
  readonly filters: readonly RouteFilter[];
  readonly backendRefs: readonly BackendRef[];
  /** timeouts.request / timeouts.backendRequest, as Gateway durations ("10s", "500ms"). */
  readonly timeouts: { readonly request?: string; readonly backendRequest?: string };
}

export interface GrpcMethodMatch {
  /** "Exact" (the default) | "RegularExpression" */
  readonly type: string;
  readonly service?: string;
  readonly method?: string;
}

export interface GrpcRouteRule {
  readonly matches: readonly { readonly method?: GrpcMethodMatch; readonly headers: readonly StringMatch[] }[];
  readonly filters: readonly RouteFilter[];
  readonly backendRefs: readonly BackendRef[];
}

interface RouteMeta extends GatewayApiMeta {
  readonly parentRefs: readonly ParentRef[];
  /** Lower-case as written. */
  readonly hostnames: readonly string[];
  readonly statusParents: readonly RouteParentStatus[];
  /** metadata.resourceVersion ("" when unknown): the status writer PATCHes against it without a read first. */
  readonly resourceVersion: string;
}

export interface HttpRouteObject extends RouteMeta {
  readonly kind: 'HTTPRoute';
  readonly rules: readonly HttpRouteRule[];
}

export interface GrpcRouteObject extends RouteMeta {
  readonly kind: 'GRPCRoute';
  readonly rules: readonly GrpcRouteRule[];
}

/** A TLSRoute or TCPRoute rule: the route's connections go to these backends (weighted). */
export interface StreamRouteRule {
  readonly backendRefs: readonly BackendRef[];
}

/** gateway.networking.k8s.io/v1 TLSRoute: TLS connections routed by server name (SNI), on TLS listeners. */
export interface TlsRouteObject extends RouteMeta {
  readonly kind: 'TLSRoute';
  readonly rules: readonly StreamRouteRule[];
}

/** gateway.networking.k8s.io/v1 TCPRoute: every connection to a TCP listener's port, to its backends. */
export interface TcpRouteObject extends RouteMeta {
  readonly kind: 'TCPRoute';
  readonly rules: readonly StreamRouteRule[];
}

export type RouteObject = HttpRouteObject | GrpcRouteObject | TlsRouteObject | TcpRouteObject;

/** The routes that carry HTTP requests (matches, filters): routing/gateway/routes.ts compiles them. */
export type RequestRouteObject = HttpRouteObject | GrpcRouteObject;

/** A metav1.LabelSelector: every matchLabels pair and every expression must hold. */
export interface LabelSelectorSpec {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  /** "In" | "NotIn" | "Exists" | "DoesNotExist"; any other selects nothing. */
  readonly operator: string;
  readonly values: readonly string[];
}

export interface ReferenceGrantObject extends ObjectRef {
  readonly from: readonly { readonly group: string; readonly kind: string; readonly namespace: string }[];
  readonly to: readonly { readonly group: string; readonly kind: string; readonly name?: string }[];
}

/** A BackendTLSPolicy targetRef (LocalPolicyTargetReferenceWithSectionName). */
export interface PolicyTargetRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** A Service port's name; unset: every port. */
  readonly sectionName?: string;
}

/** One status.ancestors entry of a policy, as written by whichever controller owns it. */
export interface PolicyAncestorStatus {
  readonly ancestorRef: ParentRef;
  readonly controllerName: string;
  readonly conditions: readonly Condition[];
}

/** subjectAltNames entry: "Hostname" (a DNS name) or "URI"; `value` is the name or the URI. */
export interface SubjectAltName {
  readonly type: string;
  readonly value: string;
}

/** gateway.networking.k8s.io/v1 BackendTLSPolicy: how Gateways reach a Service over TLS. */
export interface BackendTlsPolicyObject extends GatewayApiMeta {
  readonly targetRefs: readonly PolicyTargetRef[];
  /** validation.caCertificateRefs (LocalObjectReference: group, kind, name). */
  readonly caCertificateRefs: readonly TypedRef[];
  /** validation.wellKnownCACertificates ("System", or a prefixed name Bollard does not know). */
  readonly wellKnownCACertificates?: string;
  /** validation.hostname: the SNI name, and the name verified when subjectAltNames is empty. Lower-case. */
  readonly hostname: string;
  readonly subjectAltNames: readonly SubjectAltName[];
  readonly statusAncestors: readonly PolicyAncestorStatus[];
}

/** What Bollard keeps of a ConfigMap: its `ca.crt` (undefined when it has no such key). */
export interface ConfigMapCa {
  readonly namespace: string;
  readonly name: string;
  readonly caCrt: string | undefined;
}

/** The Gateway API objects routing/ builds from, each list sorted by namespace/name. */
export interface GatewayApiSnapshot {
  readonly gatewayClasses: readonly GatewayClassObject[];
  readonly gateways: readonly GatewayObject[];
  /** ListenerSets; absent when not watched. */
  readonly listenerSets?: readonly ListenerSetObject[];
  readonly routes: readonly RouteObject[];
  readonly referenceGrants: readonly ReferenceGrantObject[];
  /** BackendTLSPolicies; absent when not watched. */
  readonly backendTlsPolicies?: readonly BackendTlsPolicyObject[];
  /** The ConfigMaps BackendTLSPolicies and Gateways' frontend validation name (undefined: no such ConfigMap, or ConfigMaps not watched). */
  readonly lookupConfigMapCa?: (namespace: string, name: string) => ConfigMapCa | undefined;
  /** Labels of the namespaces listeners' allowedRoutes selectors look at; undefined when not watched (or no such namespace). */
  readonly namespaceLabels?: (namespace: string) => Readonly<Record<string, string>> | undefined;
}
