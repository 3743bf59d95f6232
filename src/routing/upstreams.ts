// Resolution of an Ingress service backend to an Upstream.
import type { ClusterSnapshot, ServiceBackendPort, ServiceObject, ServicePort } from '../snapshot/model.ts';
import type { UpstreamResolution } from './state.ts';
import { lookupEndpoints } from './endpoints.ts';

export interface ServiceBackendRef {
  readonly namespace: string;
  readonly name: string;
  readonly port: ServiceBackendPort;
}

/** "namespace/service:port", the port as written in the Ingress (a number or a name). */
export function upstreamKey(ref: ServiceBackendRef): string | undefined {
  const port = ref.port.number ?? (ref.port.name === '' ? undefined : ref.port.name);
  return port === undefined ? undefined : `${ref.namespace}/${ref.name}:${port}`;
}

/**
 * A missing Service or Service port still gives an Upstream, with no endpoints, so the route stays
 * and answers 503 (the backend is broken) rather than 404 (no such route); the problem is reported.
 * The Upstream carries the Service port's appProtocol when it is set (the backend protocol's default).
 */
export function resolveUpstream(snapshot: ClusterSnapshot, ref: ServiceBackendRef, key: string): UpstreamResolution {
  const service = { namespace: ref.namespace, name: ref.name };
  const found = snapshot.lookupService(ref.namespace, ref.name);
  if (found === undefined) {
    const message = `service "${ref.name}" not found in namespace "${ref.namespace}"`;
    return { upstream: { key, service, endpoints: [] }, problem: { reason: 'ServiceNotFound', message } };
  }
  const port = findServicePort(found, ref.port);
  if (port === undefined) {
    const message = `service "${ref.name}" in namespace "${ref.namespace}" has no ${describePort(ref.port)}`;
    return { upstream: { key, service, endpoints: [] }, problem: { reason: 'ServicePortNotFound', message } };
  }
  const endpoints = lookupEndpoints(snapshot, found, port);
  const { appProtocol } = port;
  return { upstream: appProtocol === undefined ? { key, service, endpoints } : { key, service, appProtocol, endpoints } };
}

function findServicePort(service: ServiceObject, port: ServiceBackendPort): ServicePort | undefined {
  if (port.number !== undefined) return service.ports.find((p) => p.port === port.number);
  return service.ports.find((p) => p.name !== undefined && p.name === port.name);
}

function describePort(port: ServiceBackendPort): string {
  return port.number === undefined ? `port named "${port.name ?? ''}"` : `port ${port.number}`;
}
