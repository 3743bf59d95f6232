// Resolves each candidate's backend to an Upstream. Resource backends (and backends naming no
// Service port) are reported and dropped; a missing Service or port is reported but the route is
// kept with no endpoints (503). Upstreams are shared by key through state.upstreams.
import type { IngressBackend } from '../../snapshot/model.ts';
import type { BuildState, ResolvedRoute, RouteCandidate, UpstreamResolution } from '../state.ts';
import { report } from '../state.ts';
import { resolveUpstream, upstreamKey } from '../upstreams.ts';

export function backendProcessor(state: BuildState): void {
  state.routes = state.candidates.flatMap((candidate) => {
    const resolution = resolveBackend(state, candidate);
    return resolution === undefined ? [] : [{ ...candidate, upstream: resolution.upstream } satisfies ResolvedRoute];
  });
}

function resolveBackend(state: BuildState, candidate: RouteCandidate): UpstreamResolution | undefined {
  const { ingress, where, backend } = candidate;
  const service = backend.service;
  if (service === undefined) {
    report(state, ingress, 'InvalidBackend', `${where}: ${unsupportedBackend(backend)}`);
    return undefined;
  }
  const ref = { namespace: ingress.namespace, name: service.name, port: service.port };
  const key = upstreamKey(ref);
  if (key === undefined) {
    const message = `${where}: service "${service.name}" backend sets neither port.number nor port.name`;
    report(state, ingress, 'InvalidBackend', message);
    return undefined;
  }
  let resolution = state.upstreams.get(key);
  if (resolution === undefined) {
    resolution = resolveUpstream(state.snapshot, ref, key);
    state.upstreams.set(key, resolution);
  }
  if (resolution.problem !== undefined) {
    report(state, ingress, resolution.problem.reason, `${where}: ${resolution.problem.message}`);
  }
  return resolution;
}

function unsupportedBackend(backend: IngressBackend): string {
  const resource = backend.resource;
  if (resource === undefined) return 'backend names neither a service nor a resource';
  const group = resource.apiGroup === undefined || resource.apiGroup === '' ? '' : `.${resource.apiGroup}`;
  return `resource backend ${resource.kind}${group} "${resource.name}" is not supported; use a service backend`;
}
