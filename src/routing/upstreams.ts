// Resolution of an Ingress service backend to an Upstream, and the per-key slot that keeps it
// between builds: re-resolved only when the Service or one of its EndpointSlices is another object.
import type {
  ClusterSnapshot, EndpointSliceObject, ServiceBackendPort, ServiceObject, ServicePort,
} from '../snapshot/model.ts';
import type { ServiceBackendRef, UpstreamResolution, UpstreamSlot } from './engine.ts';
import type { Endpoint } from './types.ts';
import { readyEndpoints } from './endpoints.ts';

const NO_SLICES: readonly EndpointSliceObject[] = [];

/**
 * "namespace/service:port", the port as written in the Ingress (a number or a name); "*" for the
 * first port (nginx default-backend); "@cluster-ip" added for nginx service-upstream.
 */
export function upstreamKey(ref: ServiceBackendRef): string | undefined {
  const port = ref.firstPort === true ? '*' : ref.port.number ?? (ref.port.name === '' ? undefined : ref.port.name);
  if (port === undefined) return undefined;
  return `${ref.namespace}/${ref.name}:${port}${ref.clusterIP === true ? '@cluster-ip' : ''}`;
}

/**
 * Brings the slot's resolution up to date with the snapshot; true when it changed. A resolution
 * equal to the one held keeps the held object, so its Upstream stays the same object.
 */
export function refreshUpstream(snapshot: ClusterSnapshot, slot: UpstreamSlot): boolean {
  const { namespace, name } = slot.ref;
  const service = snapshot.lookupService(namespace, name);
  const slices = service === undefined ? NO_SLICES : snapshot.lookupEndpointSlices(namespace, name);
  if (slot.resolution !== undefined && service === slot.service && sameItems(slices, slot.slices)) return false;
  slot.service = service;
  slot.slices = slices;
  const next = resolveUpstream(slot.ref, slot.key, service, slices);
  if (slot.resolution !== undefined && sameResolution(slot.resolution, next)) return false;
  slot.resolution = next;
  return true;
}

/**
 * A missing Service or Service port still gives an Upstream, with no endpoints, so the route stays
 * and answers 503 (the backend is broken) rather than 404 (no such route); the problem is reported.
 * The Upstream carries the Service port's appProtocol when it is set (the backend protocol's default).
 */
export function resolveUpstream(
  ref: ServiceBackendRef,
  key: string,
  found: ServiceObject | undefined,
  slices: readonly EndpointSliceObject[],
): UpstreamResolution {
  const service = { namespace: ref.namespace, name: ref.name };
  if (found === undefined) {
    const message = `service "${ref.name}" not found in namespace "${ref.namespace}"`;
    return { upstream: { key, service, endpoints: [] }, problem: { reason: 'ServiceNotFound', message } };
  }
  const port = findServicePort(found, ref.port, ref.firstPort === true);
  if (port === undefined) {
    const message = `service "${ref.name}" in namespace "${ref.namespace}" has no ${ref.firstPort === true ? 'port' : describePort(ref.port)}`;
    return { upstream: { key, service, endpoints: [] }, problem: { reason: 'ServicePortNotFound', message } };
  }
  const endpoints = ref.clusterIP === true && hasClusterIP(found) ? [{ host: found.clusterIP, port: port.port }] : readyEndpoints(slices, found, port);
  const { appProtocol } = port;
  return { upstream: appProtocol === undefined ? { key, service, endpoints } : { key, service, appProtocol, endpoints } };
}

/** A Service reached through its cluster IP (not headless, not ExternalName). */
function hasClusterIP(service: ServiceObject): service is ServiceObject & { readonly clusterIP: string } {
  return service.type !== 'ExternalName' && service.clusterIP !== undefined && service.clusterIP !== '' && service.clusterIP !== 'None';
}

function findServicePort(service: ServiceObject, port: ServiceBackendPort, first = false): ServicePort | undefined {
  if (first) return service.ports[0];
  if (port.number !== undefined) return service.ports.find((p) => p.port === port.number);
  return service.ports.find((p) => p.name !== undefined && p.name === port.name);
}

function describePort(port: ServiceBackendPort): string {
  return port.number === undefined ? `port named "${port.name ?? ''}"` : `port ${port.number}`;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameResolution(a: UpstreamResolution, b: UpstreamResolution): boolean {
  return a.upstream.appProtocol === b.upstream.appProtocol &&
    a.problem?.reason === b.problem?.reason && a.problem?.message === b.problem?.message &&
    sameEndpoints(a.upstream.endpoints, b.upstream.endpoints);
}

function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  return a.length === b.length && a.every((e, i) => {
    const other = b[i];
    return other !== undefined && e.host === other.host && e.port === other.port;
  });
}
