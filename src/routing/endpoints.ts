// The ready endpoints of one Service port, from its EndpointSlices (or its ExternalName).
import type { EndpointSliceObject, ServiceObject, ServicePort } from '../snapshot/model.ts';
import type { Endpoint } from './types.ts';
import { compareStrings } from './compare.ts';

const IP_ADDRESS_TYPES = new Set(['IPv4', 'IPv6']);

/**
 * ExternalName: one endpoint, the external name at the Service port's `port`. Otherwise every
 * address of every ready endpoint in the IPv4/IPv6 slices (the Service's, from the snapshot), at the
 * port of the slice port named like the Service port ("" when unnamed), which is how a named
 * targetPort is resolved. Sorted, no duplicates.
 */
export function readyEndpoints(slices: readonly EndpointSliceObject[], service: ServiceObject, port: ServicePort): Endpoint[] {
  if (service.type === 'ExternalName') {
    return service.externalName ? [{ host: service.externalName, port: port.port }] : [];
  }
  const found = new Map<string, Endpoint>();
  for (const slice of slices) {
    addReadyEndpoints(slice, port.name ?? '', found);
  }
  return [...found.values()].sort((a, b) => compareStrings(a.host, b.host) || a.port - b.port);
}

function addReadyEndpoints(slice: EndpointSliceObject, portName: string, found: Map<string, Endpoint>): void {
  if (!IP_ADDRESS_TYPES.has(slice.addressType)) return;
  const port = slice.ports.find((p) => p.name === portName)?.port;
  if (port === undefined) return;
  for (const endpoint of slice.endpoints.filter((e) => e.ready)) {
    for (const host of endpoint.addresses) found.set(`${host} ${port}`, { host, port });
  }
}
