// Test helper: a small random cluster (Ingresses, classes, Services, slices, Secrets, ConfigMaps) and random
// edits of it, drawn from few names so that hosts, paths, Services and Secrets collide often:
// conflicts, shared upstreams, missing objects, invalid values and ties in creation time all occur.
import type {
  ConfigMapObject, EndpointSliceObject, IngressBackend, IngressObject, IngressRule, IngressTLS, SecretObject, ServiceObject,
} from '../../../src/snapshot/model.ts';
import type { BuildOptions } from '../../../src/routing/types.ts';
import { ClusterState } from '../../../src/snapshot/cluster-state.ts';
import { testData } from './fixture-snapshot.ts';
import { seededRandom } from '../seeded-random.ts';

export const CONTROLLER = 'bollard.io/ingress-controller';

/** A seeded generator, so a failing run can be replayed. */
export const random = seededRandom;

export class Draw {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = random(seed);
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  some<T>(max: number, make: () => T): T[] {
    return Array.from({ length: this.int(max + 1) }, make);
  }
}

/** "a" and "a-b" sort differently as "ns/name" keys than as (namespace, name). */
const NAMESPACES = ['a', 'a-b', 'b'];
const NAMES = ['one', 'two', 'three', 'four', 'five', 'six'];
const VALID_HOSTS = ['shop.example.com', 'api.example.com', 'example.com', '*.example.com', 'Shop.Example.com', 'other.test', 'a.other.test', '*.other.test'];
const HOSTS = [...VALID_HOSTS, ...VALID_HOSTS, '', undefined, 'bad_host', '10.0.0.1', 'a.*.com'];
const VALID_PATHS = ['/', '/api', '/api/', '/static', '/static/css'];
const PATHS = [...VALID_PATHS, ...VALID_PATHS, '/x//y', 'relative', '', undefined];
const PATH_TYPES = ['Prefix', 'Prefix', 'Prefix', 'Exact', 'Exact', 'ImplementationSpecific', 'Regex', ''];
const SERVICES = ['web', 'api', 'gone', 'ext'];
const PORTS = [{ number: 80 }, { number: 8080 }, { name: 'http' }, { name: 'grpc' }, {}, { name: '' }];
const SECRETS = ['cert-a', 'cert-b', 'wild', 'missing', 'opaque', 'htpasswd', 'ca', ''];
const TIMES = ['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z'];
const CLASSES = ['bollard', 'other', 'legacy', ''];
const ANNOTATIONS: readonly [string, readonly string[]][] = [
  ['bollard.io/ssl-redirect', ['true', 'false', 'yes']],
  ['bollard.io/load-balance', ['ewma', 'least-request', 'random']],
  ['bollard.io/backend-protocol', ['grpc', 'HTTPS', 'h3']],
  ['bollard.io/proxy-read-timeout', ['5', '0', '4000']],
  ['bollard.io/proxy-body-size', ['1m', '0', 'lots']],
  ['bollard.io/tunnel-idle-timeout', ['30', '0', '86401']],
  ['nginx.ingress.kubernetes.io/auth-type', ['basic', 'basic', 'digest']],
  ['nginx.ingress.kubernetes.io/auth-secret', ['htpasswd', 'htpasswd', 'opaque', 'missing', 'b/htpasswd']],
  ['nginx.ingress.kubernetes.io/auth-secret-type', ['auth-file', 'auth-map']],
  ['nginx.ingress.kubernetes.io/auth-tls-secret', ['ca', 'ca', 'missing', 'cert-a', 'b/ca']],
  ['nginx.ingress.kubernetes.io/auth-tls-verify-client', ['on', 'optional', 'off', 'bogus']],
  ['nginx.ingress.kubernetes.io/auth-tls-match-cn', ['CN=client-a', 'client-a']],
  ['nginx.ingress.kubernetes.io/proxy-ssl-secret', ['cert-a', 'ca', 'ca', 'missing', 'opaque', 'b/cert-b']],
  ['nginx.ingress.kubernetes.io/proxy-ssl-verify', ['on', 'off']],
  ['nginx.ingress.kubernetes.io/backend-protocol', ['HTTPS', 'GRPCS', 'HTTP']],
  ['nginx.ingress.kubernetes.io/custom-headers', ['headers', 'headers', 'missing', 'b/headers']],
  ['nginx.ingress.kubernetes.io/canary', ['true', 'true', 'false']],
  ['nginx.ingress.kubernetes.io/canary-weight', ['10', '0', '200']],
  ['nginx.ingress.kubernetes.io/canary-by-header', ['X-Canary']],
  ['nginx.ingress.kubernetes.io/default-backend', ['web', 'api', 'gone', 'a/web']],
  ['nginx.ingress.kubernetes.io/custom-http-errors', ['404,503', '200']],
  ['nginx.ingress.kubernetes.io/service-upstream', ['true', 'true', 'no']],
  ['nginx.ingress.kubernetes.io/server-alias', ['alias.example.net', 'shop.example.com, alias.example.net', 'api.example.com', '*.bad']],
];
/** htpasswd lines (SHA-1 of "secret"), some in schemes Bollard cannot check. */
const HTPASSWD_USERS = ['ann:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', 'bob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', 'old:abJnggxhB/yWI', 'not a line'];
/** One of four real RSA pairs (test/fixtures/tls/), so the builder accepts them; versions cycle through them. */
const PEM = (what: 'crt' | 'key', n: number): Buffer => Buffer.from(testData(`@rsa-2048-${'abcd'.charAt(n % 4)}.${what}`));

function backend(d: Draw): IngressBackend {
  if (d.chance(0.05)) return { resource: { kind: 'Bucket', name: 'b', apiGroup: 'storage.example.com' } };
  if (d.chance(0.03)) return {};
  return { service: { name: d.pick(SERVICES), port: d.pick(PORTS) } };
}

function rule(d: Draw): IngressRule {
  const paths = d.some(3, () => ({ path: d.pick(PATHS), pathType: d.pick(PATH_TYPES), backend: backend(d) }));
  return { host: d.pick(HOSTS), paths };
}

function tls(d: Draw): IngressTLS {
  const hosts = d.chance(0.3) ? [] : d.some(2, () => (d.chance(0.9) ? d.pick(VALID_HOSTS) : (d.pick(HOSTS) ?? '')));
  return { hosts, secretName: d.chance(0.1) ? undefined : d.pick(SECRETS) };
}

function annotations(d: Draw): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, values] of ANNOTATIONS) if (d.chance(0.1)) result[name] = d.pick(values);
  // auth-type and auth-secret go together as users write them, so Secrets with users get read often.
  if (d.chance(0.1)) Object.assign(result, { 'nginx.ingress.kubernetes.io/auth-type': 'basic', 'nginx.ingress.kubernetes.io/auth-secret': 'htpasswd' });
  if (d.chance(0.1)) result['kubernetes.io/ingress.class'] = d.pick(CLASSES);
  return result;
}

export function ingress(d: Draw, namespace = d.pick(NAMESPACES), name = d.pick(NAMES)): IngressObject {
  const className = d.chance(0.8) ? 'bollard' : d.pick([...CLASSES, undefined]);
  return {
    namespace, name, uid: `${namespace}-${name}`, generation: d.int(5), creationTimestamp: d.pick(TIMES),
    annotations: annotations(d), ...(className === undefined ? {} : { ingressClassName: className }),
    ...(d.chance(0.15) ? { defaultBackend: backend(d) } : {}),
    rules: d.some(3, () => rule(d)), tls: d.some(2, () => tls(d)), statusLoadBalancer: [],
  };
}

function service(d: Draw, namespace: string, name: string): ServiceObject {
  const external = name === 'ext' && d.chance(0.7);
  const ports = [{ port: 80, name: 'http', protocol: 'TCP', ...(d.chance(0.3) ? { appProtocol: d.pick(['kubernetes.io/h2c', 'HTTPS', 'grpc']) } : {}) }];
  if (d.chance(0.5)) ports.push({ port: 8080, name: 'grpc', protocol: 'TCP', appProtocol: 'grpc' });
  return {
    namespace, name, type: external ? 'ExternalName' : 'ClusterIP', ...(external ? { externalName: 'ext.example.net' } : { clusterIP: d.pick(['10.96.0.1', '10.96.0.2', 'None']) }),
    externalIPs: [], ports, statusLoadBalancer: [],
  };
}

function slice(d: Draw, namespace: string, serviceName: string, index: number): EndpointSliceObject {
  const address = (): string => `10.0.${d.int(3)}.${d.int(4)}`;
  return {
    namespace, name: `${serviceName}-${index}`, serviceName, addressType: d.chance(0.9) ? 'IPv4' : 'FQDN',
    ports: [{ name: 'http', port: 8000 + d.int(2), protocol: 'TCP' }, { name: 'grpc', port: 9000, protocol: 'TCP' }],
    endpoints: d.some(3, () => ({ addresses: d.some(2, address), ready: d.chance(0.8) })),
  };
}

function secret(d: Draw, namespace: string, name: string): SecretObject {
  if (name === 'opaque') return { namespace, name, type: 'Opaque', data: {} };
  // nginx auth-tls: one of two client CAs, or none.
  if (name === 'ca') return { namespace, name, type: 'Opaque', data: d.chance(0.1) ? {} : { 'ca.crt': Buffer.from(testData(`@client-ca-${d.pick(['a', 'b'])}.crt`)) } };
  if (name === 'htpasswd') {
    const lines = d.some(3, () => d.pick(HTPASSWD_USERS));
    const map = Object.fromEntries(lines.map((line) => [line.split(':')[0] ?? '', Buffer.from(line.split(':')[1] ?? '')]));
    const file = { auth: Buffer.from(lines.join('\n')) };
    // Both keys at once serve auth-file and auth-map alike, so some routes get users.
    return { namespace, name, type: 'Opaque', data: d.pick([file, map, { ...map, ...file }]) };
  }
  const version = d.int(3);
  const data: Record<string, Buffer> = { 'tls.crt': PEM('crt', version), 'tls.key': PEM('key', version) };
  if (d.chance(0.1)) delete data['tls.key'];
  return { namespace, name, type: 'kubernetes.io/tls', data };
}

/** nginx custom-headers: a few response headers, some refused (framing, not a header name). */
function configMap(d: Draw, namespace: string): ConfigMapObject {
  const entries = d.some(3, (): [string, string] => d.pick([['X-Frame-Options', 'DENY'], ['X-Team', d.pick(['a', 'b'])], ['Content-Length', '1'], ['not a name', 'x']]));
  return { namespace, name: 'headers', data: Object.fromEntries(entries) };
}

export function options(d: Draw): BuildOptions {
  // --acme-enabled changes what a spec.tls entry naming no Secret reports.
  const acme = d.chance(0.5);
  if (d.chance(0.5)) return { controllerName: CONTROLLER, acme };
  return { controllerName: CONTROLLER, acme, defaults: {
    sslRedirect: d.chance(0.8), forceSslRedirect: d.chance(0.3), readTimeoutMs: d.pick([5_000, 60_000]),
    hsts: d.pick<string | false>([false, 'max-age=60', 'max-age=31536000; includeSubDomains']),
  } };
}

export function cluster(d: Draw, ingresses: number): ClusterState {
  const state = new ClusterState();
  state.upsertIngressClass({ name: 'bollard', controller: CONTROLLER, isDefault: d.chance(0.3) });
  state.upsertIngressClass({ name: 'other', controller: 'example.com/other', isDefault: false });
  for (const namespace of NAMESPACES) {
    for (const name of ['web', 'api', 'ext']) {
      state.upsertService(service(d, namespace, name));
      state.upsertEndpointSlice(slice(d, namespace, name, 0));
    }
    for (const name of ['cert-a', 'cert-b', 'wild', 'opaque', 'htpasswd', 'ca']) upsertSecret(state, secret(d, namespace, name));
    state.upsertConfigMap(configMap(d, namespace));
  }
  for (let i = 0; i < ingresses; i++) state.upsertIngress(ingress(d));
  for (let i = 0; i < 12; i++) edit(d, state, d.pick(OBJECT_EDITS));
  return state;
}

type Edit = (d: Draw, state: ClusterState) => void;

const upsertIngress: Edit = (d, s) => { s.upsertIngress(ingress(d)); };
const OBJECT_EDITS: readonly Edit[] = [
  (d, s) => { s.upsertService(service(d, d.pick(NAMESPACES), d.pick(SERVICES))); },
  (d, s) => { s.removeService(d.pick(NAMESPACES), d.pick(SERVICES)); },
  (d, s) => { const svc = d.pick(SERVICES); s.upsertEndpointSlice(slice(d, d.pick(NAMESPACES), svc, d.int(2))); },
  (d, s) => { s.removeEndpointSlice(d.pick(NAMESPACES), `${d.pick(SERVICES)}-${d.int(2)}`); },
  (d, s) => { upsertSecret(s, secret(d, d.pick(NAMESPACES), d.pick(SECRETS))); },
  (d, s) => { const [ns, name] = [d.pick(NAMESPACES), d.pick(SECRETS)]; s.removeSecret(ns, name); s.removeOpaqueSecret(ns, name); },
  (d, s) => { s.upsertConfigMap(configMap(d, d.pick(NAMESPACES))); },
  (d, s) => { s.removeConfigMap(d.pick(NAMESPACES), 'headers'); },
];

/** TLS and Opaque Secrets are watched apart, as the controller does. */
function upsertSecret(state: ClusterState, secret: SecretObject): void {
  if (secret.type === 'Opaque') state.upsertOpaqueSecret(secret);
  else state.upsertSecret(secret);
}

/** A deep copy made in this realm (structuredClone's objects have another realm's prototypes under Jest). */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => deepCopy(item)) as T;
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deepCopy(item)])) as T;
}

/** Edits that leave the routing content alone: a deep-equal copy, a status change. */
const SAME_CONTENT: readonly Edit[] = [
  (d, s) => { const i = d.pick(s.ingresses()); s.upsertIngress(deepCopy(i)); },
  (d, s) => { const i = d.pick(s.ingresses()); s.upsertIngress({ ...i, statusLoadBalancer: [{ ip: `192.0.2.${d.int(9)}` }] }); },
];

export const EDITS: readonly Edit[] = [
  upsertIngress, upsertIngress, upsertIngress,
  (d, s) => { s.removeIngress(d.pick(NAMESPACES), d.pick(NAMES)); },
  (d, s) => { s.upsertIngressClass({ name: d.pick(['bollard', 'legacy']), controller: CONTROLLER, isDefault: d.chance(0.3) }); },
  (d, s) => { s.removeIngressClass('legacy'); },
  ...OBJECT_EDITS, ...OBJECT_EDITS,
  ...SAME_CONTENT,
];

export function edit(d: Draw, state: ClusterState, how: Edit = d.pick(EDITS)): void {
  if (state.ingresses().length === 0 && SAME_CONTENT.includes(how)) return;
  how(d, state);
}
