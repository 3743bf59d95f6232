// Raw API JSON → the slim model in snapshot/model.ts. Defensive: a malformed field becomes
// an empty value, never an exception, so one odd object cannot stop the informer.
import type {
  EndpointSliceObject, IngressBackend, IngressClassObject, IngressObject, IngressPath, IngressRule,
  LoadBalancerIngress, SecretObject, ServiceObject, ServicePort,
} from '../snapshot/model.ts';
import { generatedServiceMeta } from '../snapshot/generated-service.ts';
import type { Json } from './client.ts';

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

function meta(raw: Json): { namespace: string; name: string; uid: string; annotations: Record<string, string>; labels: Record<string, string>; m: Json } {
  const m = obj(raw.metadata);
  return {
    namespace: str(m.namespace) ?? '',
    name: str(m.name) ?? '',
    uid: str(m.uid) ?? '',
    annotations: strMap(m.annotations),
    labels: strMap(m.labels),
    m,
  };
}

function backend(raw: unknown): IngressBackend | undefined {
  const b = obj(raw);
  const svc = obj(b.service);
  const res = obj(b.resource);
  if (str(svc.name) !== undefined) {
    const port = obj(svc.port);
    const number = num(port.number);
    const name = str(port.name);
    return { service: { name: str(svc.name) ?? '', port: { ...(number === undefined ? {} : { number }), ...(name === undefined ? {} : { name }) } } };
  }
  if (str(res.kind) !== undefined) {
    const apiGroup = str(res.apiGroup);
    return { resource: { kind: str(res.kind) ?? '', name: str(res.name) ?? '', ...(apiGroup === undefined ? {} : { apiGroup }) } };
  }
  return undefined;
}

function lbIngress(raw: unknown): LoadBalancerIngress[] {
  return arr(obj(raw).ingress).map((i) => {
    const ip = str(obj(i).ip);
    const hostname = str(obj(i).hostname);
    return { ...(ip === undefined ? {} : { ip }), ...(hostname === undefined ? {} : { hostname }) };
  });
}

function rule(raw: unknown): IngressRule {
  const r = obj(raw);
  const host = str(r.host);
  const paths: IngressPath[] = arr(obj(r.http).paths).map((p) => {
    const po = obj(p);
    const path = str(po.path);
    return { ...(path === undefined ? {} : { path }), pathType: str(po.pathType) ?? '', backend: backend(po.backend) ?? {} };
  });
  return { ...(host === undefined ? {} : { host }), paths };
}

export function toIngress(raw: Json): IngressObject {
  const { namespace, name, uid, annotations, m } = meta(raw);
  const spec = obj(raw.spec);
  const ingressClassName = str(spec.ingressClassName);
  const defaultBackend = backend(spec.defaultBackend);
  return {
    namespace, name, uid, annotations,
    generation: num(m.generation) ?? 0,
    creationTimestamp: str(m.creationTimestamp) ?? '',
    ...(ingressClassName === undefined ? {} : { ingressClassName }),
    ...(defaultBackend === undefined ? {} : { defaultBackend }),
    rules: arr(spec.rules).map(rule),
    tls: arr(spec.tls).map((t) => {
      const secretName = str(obj(t).secretName);
      return { hosts: arr(obj(t).hosts).filter((h): h is string => typeof h === 'string'), ...(secretName === undefined ? {} : { secretName }) };
    }),
    statusLoadBalancer: lbIngress(obj(obj(raw.status).loadBalancer)),
  };
}

export function toIngressClass(raw: Json): IngressClassObject {
  const { name, annotations } = meta(raw);
  return {
    name,
    controller: str(obj(raw.spec).controller) ?? '',
    isDefault: annotations['ingressclass.kubernetes.io/is-default-class'] === 'true',
  };
}

function servicePort(raw: unknown): ServicePort {
  const p = obj(raw);
  const name = str(p.name);
  const targetPort = num(p.targetPort) ?? str(p.targetPort);
  const appProtocol = str(p.appProtocol);
  return {
    port: num(p.port) ?? 0,
    protocol: str(p.protocol) ?? 'TCP',
    ...(name === undefined ? {} : { name }),
    ...(targetPort === undefined ? {} : { targetPort }),
    ...(appProtocol === undefined ? {} : { appProtocol }),
  };
}

export function toService(raw: Json): ServiceObject {
  const { namespace, name, labels, annotations, m } = meta(raw);
  const spec = obj(raw.spec);
  const externalName = str(spec.externalName);
  const clusterIP = str(spec.clusterIP);
  return {
    namespace, name,
    type: str(spec.type) ?? 'ClusterIP',
    ...(externalName === undefined ? {} : { externalName }),
    ...(clusterIP === undefined ? {} : { clusterIP }),
    externalIPs: arr(spec.externalIPs).filter((x): x is string => typeof x === 'string'),
    ports: arr(spec.ports).map(servicePort),
    statusLoadBalancer: lbIngress(obj(obj(raw.status).loadBalancer)),
    ...generatedOf(labels, annotations, m),
  };
}

/** Only a Service Bollard generated for a Gateway keeps its labels, annotations and owners. */
function generatedOf(labels: Record<string, string>, annotations: Record<string, string>, m: Json) {
  const generated = generatedServiceMeta(labels, annotations, arr(m.ownerReferences).map((o) => str(obj(o).uid) ?? ''));
  return generated === undefined ? {} : { generated };
}

export function toEndpointSlice(raw: Json): EndpointSliceObject {
  const { namespace, name, labels } = meta(raw);
  return {
    namespace, name,
    serviceName: labels['kubernetes.io/service-name'] ?? '',
    addressType: str(raw.addressType) ?? '',
    ports: arr(raw.ports).map((p) => {
      const po = obj(p);
      const port = num(po.port);
      const appProtocol = str(po.appProtocol);
      return {
        name: str(po.name) ?? '',
        protocol: str(po.protocol) ?? 'TCP',
        ...(port === undefined ? {} : { port }),
        ...(appProtocol === undefined ? {} : { appProtocol }),
      };
    }),
    endpoints: arr(raw.endpoints).map((e) => ({
      addresses: arr(obj(e).addresses).filter((a): a is string => typeof a === 'string'),
      ready: obj(obj(e).conditions).ready !== false,
    })),
  };
}

export function toSecret(raw: Json): SecretObject {
  const { namespace, name } = meta(raw);
  const data = Object.fromEntries(Object.entries(strMap(raw.data)).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  return { namespace, name, type: str(raw.type) ?? '', data };
}
