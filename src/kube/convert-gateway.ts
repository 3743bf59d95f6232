// Raw gateway.networking.k8s.io/v1 JSON → the slim model of snapshot/gateway-model.ts. The API
// server has applied the CRDs' defaults, but nothing here relies on it: every default the spec
// names is applied again, and a malformed field reads as empty.
import type {
  AllowedListeners, BackendRef, BackendTlsPolicyObject, ConfigMapCa, Condition, CorsFilter, FrontendTls, FrontendValidation, GatewayClassObject, GatewayInfrastructure, GatewayObject, GrpcRouteObject, GrpcRouteRule, HeaderFilter, HttpRouteMatch,
  HttpRouteObject, HttpRouteRule, LabelSelectorSpec, Listener, ListenerSetObject, ListenerStatus, ParentRef, PathModifier, PolicyAncestorStatus, ReferenceGrantObject, RequestMirrorFilter, RouteFilter, RouteParentStatus,
  StringMatch, TcpRouteObject, TlsRouteObject, TypedRef,
} from '../snapshot/gateway-model.ts';
import type { Json } from './client.ts';
import { arr, num, obj, opt, str, strMap } from './json-read.ts';

const GROUP = 'gateway.networking.k8s.io';

function meta(raw: Json) {
  const m = obj(raw.metadata);
  return {
    namespace: str(m.namespace) ?? '', name: str(m.name) ?? '', uid: str(m.uid) ?? '',
    generation: num(m.generation) ?? 0, creationTimestamp: str(m.creationTimestamp) ?? '',
  };
}

function condition(raw: unknown): Condition {
  const c = obj(raw);
  const status = str(c.status);
  return {
    type: str(c.type) ?? '', status: status === 'True' || status === 'False' ? status : 'Unknown',
    reason: str(c.reason) ?? '', message: str(c.message) ?? '',
    observedGeneration: num(c.observedGeneration) ?? 0, lastTransitionTime: str(c.lastTransitionTime) ?? '',
  };
}

const conditions = (raw: unknown): Condition[] => arr(obj(raw).conditions).map(condition);

function typedRef(raw: unknown, defaultGroup: string, defaultKind: string): TypedRef {
  const r = obj(raw);
  return { group: str(r.group) ?? defaultGroup, kind: str(r.kind) ?? defaultKind, name: str(r.name) ?? '', ...opt('namespace', str(r.namespace)) };
}

export function toGatewayClass(raw: Json): GatewayClassObject {
  const { name, generation } = meta(raw);
  return { name, generation, controllerName: str(obj(raw.spec).controllerName) ?? '', conditions: conditions(raw.status) };
}

function labelSelector(raw: unknown): LabelSelectorSpec | undefined {
  if (raw === undefined) return undefined;
  const selector = obj(raw);
  return {
    matchLabels: strMap(selector.matchLabels),
    matchExpressions: arr(selector.matchExpressions).map((e) => {
      const x = obj(e);
      return { key: str(x.key) ?? '', operator: str(x.operator) ?? '', values: arr(x.values).map((v) => str(v) ?? '') };
    }),
  };
}

function listener(raw: unknown): Listener {
  const l = obj(raw);
  const tls = obj(l.tls);
  const allowed = obj(l.allowedRoutes);
  const namespaces = obj(allowed.namespaces);
  const hostname = str(l.hostname)?.toLowerCase();
  return {
    name: str(l.name) ?? '', port: num(l.port) ?? 0, protocol: str(l.protocol) ?? '',
    ...opt('hostname', hostname === '' ? undefined : hostname),
    ...opt('tlsMode', l.tls === undefined ? undefined : (str(tls.mode) ?? 'Terminate')),
    certificateRefs: arr(tls.certificateRefs).map((r) => typedRef(r, '', 'Secret')),
    allowedFrom: str(namespaces.from) ?? 'Same',
    ...opt('allowedSelector', labelSelector(namespaces.selector)),
    allowedKinds: arr(allowed.kinds).map((k) => ({ group: str(obj(k).group) ?? GROUP, kind: str(obj(k).kind) ?? '' })),
  };
}

const listenerStatus = (raw: unknown): ListenerStatus[] => arr(obj(raw).listeners).map((l) => ({
  name: str(obj(l).name) ?? '', attachedRoutes: num(obj(l).attachedRoutes) ?? 0, conditions: conditions(l),
}));

/** spec.allowedListeners; unset (or without namespaces): none may attach. */
function allowedListeners(raw: unknown): AllowedListeners | undefined {
  const rawNamespaces = obj(raw).namespaces;
  if (rawNamespaces === undefined) return undefined;
  const namespaces = obj(rawNamespaces);
  return { from: str(namespaces.from) ?? 'None', ...opt('selector', labelSelector(namespaces.selector)) };
}

export function toGateway(raw: Json): GatewayObject {
  const spec = obj(raw.spec);
  return {
    ...meta(raw), gatewayClassName: str(spec.gatewayClassName) ?? '', listeners: arr(spec.listeners).map(listener),
    ...opt('allowedListeners', allowedListeners(spec.allowedListeners)),
    specAddresses: arr(spec.addresses).map((a) => ({ type: str(obj(a).type) ?? 'IPAddress', value: str(obj(a).value) ?? '' })),
    ...opt('frontendTls', frontendTls(obj(spec.tls).frontend)),
    conditions: conditions(raw.status),
    listenerStatus: listenerStatus(raw.status),
    statusAddresses: arr(obj(raw.status).addresses).map((a) => str(obj(a).value) ?? '').filter((v) => v !== ''),
    ...opt('attachedListenerSets', num(obj(raw.status).attachedListenerSets)),
    ...opt('backendClientCertificateRef', clientCertificateRef(obj(obj(obj(spec.tls).backend)).clientCertificateRef)),
    ...opt('infrastructure', infrastructure(spec.infrastructure)),
  };
}

function infrastructure(raw: unknown): GatewayInfrastructure | undefined {
  if (raw === undefined || raw === null) return undefined;
  const i = obj(raw);
  const ref = i.parametersRef === undefined || i.parametersRef === null ? undefined : obj(i.parametersRef);
  return {
    labels: strMap(i.labels), annotations: strMap(i.annotations),
    ...opt('parametersRef', ref === undefined ? undefined : { group: str(ref.group) ?? '', kind: str(ref.kind) ?? '', name: str(ref.name) ?? '' }),
  };
}

export function toListenerSet(raw: Json): ListenerSetObject {
  const spec = obj(raw.spec);
  return {
    ...meta(raw), parentRef: typedRef(spec.parentRef, GROUP, 'Gateway'), listeners: arr(spec.listeners).map(listener),
    conditions: conditions(raw.status), listenerStatus: listenerStatus(raw.status),
  };
}

function clientCertificateRef(raw: unknown): TypedRef | undefined {
  return raw === undefined ? undefined : typedRef(raw, '', 'Secret');
}

function frontendTls(raw: unknown): FrontendTls | undefined {
  if (raw === undefined || raw === null) return undefined;
  const f = obj(raw);
  return {
    ...opt('defaultValidation', frontendValidation(obj(f.default).validation)),
    perPort: arr(f.perPort).map((p) => ({ port: num(obj(p).port) ?? 0, ...opt('validation', frontendValidation(obj(obj(p).tls).validation)) })),
  };
}

/** caCertificateRefs are ObjectReferences: group and kind have no default. */
function frontendValidation(raw: unknown): FrontendValidation | undefined {
  if (raw === undefined || raw === null) return undefined;
  const v = obj(raw);
  return { caCertificateRefs: arr(v.caCertificateRefs).map((r) => typedRef(r, '', '')), mode: str(v.mode) ?? 'AllowValidOnly' };
}

function parentRef(raw: unknown): ParentRef {
  const p = obj(raw);
  return {
    group: str(p.group) ?? GROUP, kind: str(p.kind) ?? 'Gateway', name: str(p.name) ?? '',
    ...opt('namespace', str(p.namespace)), ...opt('sectionName', str(p.sectionName)), ...opt('port', num(p.port)),
  };
}

/** One status.parents entry (also what the status writer reads back before writing). */
export function toRouteParentStatus(raw: unknown): RouteParentStatus {
  const p = obj(raw);
  return { parentRef: parentRef(p.parentRef), controllerName: str(p.controllerName) ?? '', conditions: conditions(p) };
}

function stringMatches(raw: unknown): StringMatch[] {
  return arr(raw).map((m) => ({ type: str(obj(m).type) ?? 'Exact', name: str(obj(m).name) ?? '', value: str(obj(m).value) ?? '' }));
}

function pairs(raw: unknown): [string, string][] {
  return arr(raw).map((h) => [(str(obj(h).name) ?? '').toLowerCase(), str(obj(h).value) ?? '']);
}

function headerFilter(raw: unknown): HeaderFilter {
  const h = obj(raw);
  return {
    set: pairs(h.set), add: pairs(h.add),
    remove: arr(h.remove).filter((n): n is string => typeof n === 'string').map((n) => n.toLowerCase()),
  };
}

function pathModifier(raw: unknown): PathModifier | undefined {
  if (raw === undefined) return undefined;
  const p = obj(raw);
  const type = str(p.type) ?? '';
  return { type, value: (type === 'ReplacePrefixMatch' ? str(p.replacePrefixMatch) : str(p.replaceFullPath)) ?? '' };
}

function filter(raw: unknown): RouteFilter {
  const f = obj(raw);
  const redirect = obj(f.requestRedirect);
  const rewrite = obj(f.urlRewrite);
  return {
    type: str(f.type) ?? '',
    ...opt('requestHeaderModifier', f.requestHeaderModifier === undefined ? undefined : headerFilter(f.requestHeaderModifier)),
    ...opt('responseHeaderModifier', f.responseHeaderModifier === undefined ? undefined : headerFilter(f.responseHeaderModifier)),
    ...opt('requestRedirect', f.requestRedirect === undefined ? undefined : {
      statusCode: num(redirect.statusCode) ?? 302, ...opt('scheme', str(redirect.scheme)), ...opt('hostname', str(redirect.hostname)),
      ...opt('path', pathModifier(redirect.path)), ...opt('port', num(redirect.port)),
    }),
    ...opt('urlRewrite', f.urlRewrite === undefined ? undefined : {
      ...opt('hostname', str(rewrite.hostname)), ...opt('path', pathModifier(rewrite.path)),
    }),
    ...opt('cors', f.cors === undefined ? undefined : corsFilter(obj(f.cors))),
    ...opt('requestMirror', f.requestMirror === undefined ? undefined : requestMirror(obj(f.requestMirror))),
  };
}

function corsFilter(c: Json): CorsFilter {
  const strings = (raw: unknown): string[] => arr(raw).filter((v): v is string => typeof v === 'string');
  return {
    allowOrigins: strings(c.allowOrigins), allowMethods: strings(c.allowMethods), allowHeaders: strings(c.allowHeaders),
    exposeHeaders: strings(c.exposeHeaders), allowCredentials: c.allowCredentials === true, maxAge: num(c.maxAge) ?? 5,
  };
}

function requestMirror(m: Json): RequestMirrorFilter {
  const fraction = m.fraction === undefined ? undefined : obj(m.fraction);
  return {
    backendRef: backendRef(m.backendRef), ...opt('percent', num(m.percent)),
    ...opt('fraction', fraction === undefined ? undefined : { numerator: num(fraction.numerator) ?? 0, denominator: num(fraction.denominator) ?? 100 }),
  };
}

function backendRef(raw: unknown): BackendRef {
  const b = obj(raw);
  return { ...typedRef(b, '', 'Service'), ...opt('port', num(b.port)), weight: num(b.weight) ?? 1, filters: arr(b.filters).map(filter) };
}

function httpMatch(raw: unknown): HttpRouteMatch {
  const m = obj(raw);
  const path = obj(m.path);
  return {
    path: { type: str(path.type) ?? 'PathPrefix', value: str(path.value) ?? '/' },
    headers: stringMatches(m.headers), queryParams: stringMatches(m.queryParams), ...opt('method', str(m.method)),
  };
}

function httpRule(raw: unknown): HttpRouteRule {
  const r = obj(raw);
  const t = obj(r.timeouts);
  const matches = arr(r.matches).map(httpMatch);
  return {
    // No matches: one that takes every request (PathPrefix "/").
    matches: matches.length > 0 ? matches : [{ path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }],
    filters: arr(r.filters).map(filter), backendRefs: arr(r.backendRefs).map(backendRef),
    timeouts: { ...opt('request', str(t.request)), ...opt('backendRequest', str(t.backendRequest)) },
  };
}

function grpcRule(raw: unknown): GrpcRouteRule {
  const r = obj(raw);
  const matches = arr(r.matches).map((m) => {
    const method = obj(obj(m).method);
    return {
      ...opt('method', obj(m).method === undefined ? undefined : {
        type: str(method.type) ?? 'Exact', ...opt('service', str(method.service)), ...opt('method', str(method.method)),
      }),
      headers: stringMatches(obj(m).headers),
    };
  });
  return { matches: matches.length > 0 ? matches : [{ headers: [] }], filters: arr(r.filters).map(filter), backendRefs: arr(r.backendRefs).map(backendRef) };
}

function routeMeta(raw: Json) {
  const spec = obj(raw.spec);
  return {
    ...meta(raw),
    parentRefs: arr(spec.parentRefs).map(parentRef),
    hostnames: arr(spec.hostnames).filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase()),
    statusParents: arr(obj(raw.status).parents).map(toRouteParentStatus),
    resourceVersion: str(obj(raw.metadata).resourceVersion) ?? '',
  };
}

export function toHttpRoute(raw: Json): HttpRouteObject {
  return { kind: 'HTTPRoute', ...routeMeta(raw), rules: arr(obj(raw.spec).rules).map(httpRule) };
}

export function toGrpcRoute(raw: Json): GrpcRouteObject {
  return { kind: 'GRPCRoute', ...routeMeta(raw), rules: arr(obj(raw.spec).rules).map(grpcRule) };
}

const streamRules = (raw: Json) => arr(obj(raw.spec).rules).map((r) => ({ backendRefs: arr(obj(r).backendRefs).map(backendRef) }));

export function toTlsRoute(raw: Json): TlsRouteObject {
  return { kind: 'TLSRoute', ...routeMeta(raw), rules: streamRules(raw) };
}

export function toTcpRoute(raw: Json): TcpRouteObject {
  return { kind: 'TCPRoute', ...routeMeta(raw), rules: streamRules(raw) };
}

export function toReferenceGrant(raw: Json): ReferenceGrantObject {
  const { namespace, name } = meta(raw);
  const spec = obj(raw.spec);
  return {
    namespace, name,
    from: arr(spec.from).map((f) => ({ group: str(obj(f).group) ?? '', kind: str(obj(f).kind) ?? '', namespace: str(obj(f).namespace) ?? '' })),
    to: arr(spec.to).map((t) => ({ group: str(obj(t).group) ?? '', kind: str(obj(t).kind) ?? '', ...opt('name', str(obj(t).name)) })),
  };
}

export function toBackendTlsPolicy(raw: Json): BackendTlsPolicyObject {
  const spec = obj(raw.spec);
  const validation = obj(spec.validation);
  const wellKnown = str(validation.wellKnownCACertificates);
  return {
    ...meta(raw),
    targetRefs: arr(spec.targetRefs).map((t) => {
      const r = obj(t);
      const section = str(r.sectionName);
      return { group: str(r.group) ?? '', kind: str(r.kind) ?? '', name: str(r.name) ?? '', ...opt('sectionName', section === '' ? undefined : section) };
    }),
    caCertificateRefs: arr(validation.caCertificateRefs).map((r) => typedRef(r, '', '')),
    ...opt('wellKnownCACertificates', wellKnown === '' ? undefined : wellKnown),
    hostname: (str(validation.hostname) ?? '').toLowerCase(),
    subjectAltNames: arr(validation.subjectAltNames).map((n) => {
      const s = obj(n);
      const type = str(s.type) ?? '';
      return { type, value: (type === 'URI' ? str(s.uri) : str(s.hostname)?.toLowerCase()) ?? '' };
    }),
    statusAncestors: arr(obj(raw.status).ancestors).map(toPolicyAncestorStatus),
  };
}

/** One status.ancestors entry of a policy (also what the status writer reads back before writing). */
export function toPolicyAncestorStatus(raw: unknown): PolicyAncestorStatus {
  const x = obj(raw);
  return { ancestorRef: parentRef(x.ancestorRef), controllerName: str(x.controllerName) ?? '', conditions: conditions(x) };
}

/** Only `ca.crt` is kept: the rest of a ConfigMap (possibly large) never reaches memory past the informer. */
export function toConfigMapCa(raw: Json): ConfigMapCa {
  const { namespace, name } = meta(raw);
  return { namespace, name, caCrt: str(obj(raw.data)['ca.crt']) };
}
