// A rule's backendRefs → upstreams: Services only, another namespace only with a ReferenceGrant, a
// port required. An invalid reference keeps its share of the traffic and answers 500 there (as the
// spec asks); the problem goes to the route's ResolvedRefs condition.
import type { ClusterSnapshot, ServiceObject } from '../../snapshot/model.ts';
import type { BackendRef, GatewayApiSnapshot, RouteFilter, RouteObject } from '../../snapshot/gateway-model.ts';
import type { Upstream } from '../types.ts';
import { resolveUpstream, upstreamKey } from '../upstreams.ts';
import { referencePermitted } from './grants.ts';
import { GATEWAY_GROUP } from './listeners.ts';

export interface WeightedUpstream {
  readonly weight: number;
  readonly upstream: Upstream;
  /** The reference is invalid: this share answers 500. */
  readonly invalid: boolean;
  /** The backendRef's own filters, for requests sent to it only. */
  readonly filters: readonly RouteFilter[];
  /** The Service port's name, for BackendTLSPolicy sectionNames. */
  readonly portName?: string;
}

export interface BackendProblem {
  readonly reason: 'InvalidKind' | 'RefNotPermitted' | 'BackendNotFound' | 'UnsupportedValue';
  readonly message: string;
}

export interface ResolvedBackends {
  /** With weight > 0 only; empty: every request answers 500. */
  readonly backends: readonly WeightedUpstream[];
  readonly problems: readonly BackendProblem[];
}

export function resolveBackends(route: RouteObject, refs: readonly BackendRef[], api: GatewayApiSnapshot, snapshot: ClusterSnapshot): ResolvedBackends {
  const backends: WeightedUpstream[] = [];
  const problems: BackendProblem[] = [];
  for (const ref of refs) {
    const namespace = ref.namespace ?? route.namespace;
    const problem = checkRef(route, ref, namespace, api);
    if (problem !== undefined) problems.push(problem);
    if (ref.weight <= 0) continue;
    if (problem !== undefined) {
      backends.push({ weight: ref.weight, upstream: invalidUpstream(namespace, ref.name), invalid: true, filters: ref.filters });
      continue;
    }
    const serviceRef = { namespace, name: ref.name, port: { number: ref.port ?? 0 } };
    const key = upstreamKey(serviceRef) ?? '';
    const service = snapshot.lookupService(namespace, ref.name);
    const resolution = resolveUpstream(serviceRef, key, service, service === undefined ? [] : snapshot.lookupEndpointSlices(namespace, ref.name));
    if (resolution.problem !== undefined) {
      problems.push({ reason: 'BackendNotFound', message: resolution.problem.message });
      backends.push({ weight: ref.weight, upstream: invalidUpstream(namespace, ref.name), invalid: true, filters: ref.filters });
    } else {
      backends.push({ weight: ref.weight, upstream: resolution.upstream, invalid: false, filters: ref.filters, ...portNameOf(service, ref.port) });
    }
  }
  return { backends, problems };
}

/** The Service port's name (BackendTLSPolicy sectionName), when it has one. */
function portNameOf(service: ServiceObject | undefined, port: number | undefined): { portName?: string } {
  const name = service?.ports.find((p) => p.port === port)?.name;
  return name === undefined || name === '' ? {} : { portName: name };
}

function checkRef(route: RouteObject, ref: BackendRef, namespace: string, api: GatewayApiSnapshot): BackendProblem | undefined {
  if (ref.group !== '' || ref.kind !== 'Service') return { reason: 'InvalidKind', message: `backendRef ${ref.kind} "${ref.name}" is not a core Service` };
  const permitted = referencePermitted(api.referenceGrants, {
    fromGroup: GATEWAY_GROUP, fromKind: route.kind, fromNamespace: route.namespace, toGroup: '', toKind: 'Service', toNamespace: namespace, toName: ref.name,
  });
  if (!permitted) return { reason: 'RefNotPermitted', message: `no ReferenceGrant in "${namespace}" allows Service "${ref.name}"` };
  if (ref.port === undefined) return { reason: 'UnsupportedValue', message: `backendRef Service "${ref.name}" needs a port` };
  return undefined;
}

/** Not in the table's upstreams (no pool): a route to it answers 500. */
function invalidUpstream(namespace: string, name: string): Upstream {
  return { key: `invalid:${namespace}/${name}`, service: { namespace, name }, endpoints: [] };
}
