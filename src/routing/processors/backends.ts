// Resolves each candidate's backend to an Upstream. Resource backends (and backends naming no
// Service port) are reported and dropped; a missing Service or port is reported but the route is
// kept with no endpoints (503). Upstreams are shared by key through one slot per key (engine.ts),
// which every build checks against the snapshot's Service and EndpointSlices; when its Upstream
// changes, the routes it wins are settled again.
import type { IngressBackend } from '../../snapshot/model.ts';
import type { BuildState, Claim, IngressEntry } from '../state.ts';
import type { Compiled, ServiceBackendRef, UpstreamSlot } from '../engine.ts';
import { compiled } from '../engine.ts';
import type { Diagnostic } from '../types.ts';
import { clearDiagnostics, setDiagnostics, touch } from '../state.ts';
import { diagnostic } from '../diagnostics.ts';
import { refreshUpstream, upstreamKey } from '../upstreams.ts';
import { findGroup } from '../route-groups.ts';
import { defaultBackendService, usesServiceUpstream } from '../nginx/backends.ts';
import { NGINX_PREFIX } from '../nginx/catalog.ts';
import { candidatesOf } from './rules.ts';

const DEFAULT_BACKEND = `${NGINX_PREFIX}default-backend`;

export function backendProcessor(state: BuildState): void {
  const { upstreams } = state.engine;
  const usersChanged = new Set<UpstreamSlot>();
  for (const entry of state.removed) {
    clearDiagnostics(state, entry.claims);
    for (const claim of claimsOf(entry).items) leaveSlots(upstreams, claim, usersChanged);
  }
  for (const entry of state.added) {
    const claims = claimsOf(entry);
    setDiagnostics(state, claims, claims.diagnostics);
    for (const claim of claims.items) {
      usersChanged.add(useSlot(state, claim, claim.upstreamKey, claim.service));
      if (claim.fallback !== undefined) usersChanged.add(useSlot(state, claim, claim.fallback.key, claim.fallback.ref, DEFAULT_BACKEND));
    }
  }
  for (const slot of upstreams.values()) refreshSlot(state, slot, usersChanged.has(slot));
}

/** A claim of an Ingress no longer served lets go of its upstream slots (its own, its nginx default-backend's). */
function leaveSlots(upstreams: Map<string, UpstreamSlot>, claim: Claim, usersChanged: Set<UpstreamSlot>): void {
  for (const key of [claim.upstreamKey, ...(claim.fallback === undefined ? [] : [claim.fallback.key])]) {
    const slot = upstreams.get(key);
    slot?.users.delete(claim);
    if (slot !== undefined) usersChanged.add(slot);
  }
}

/** The candidates whose backend names a Service port, compiled once per Ingress object. */
export function claimsOf(entry: IngressEntry): Compiled<Claim> {
  entry.claims ??= compileClaims(entry);
  return entry.claims;
}

function compileClaims(entry: IngressEntry): Compiled<Claim> {
  const items: Claim[] = [];
  const diagnostics: Diagnostic[] = [];
  const clusterIP = usesServiceUpstream(entry.ingress);
  const fallback = fallbackOf(entry);
  for (const candidate of candidatesOf(entry).items) {
    const { ingress, where, order, backend, level, host, pathType, path, pattern } = candidate;
    if (backend.service === undefined) {
      diagnostics.push(diagnostic(ingress, 'InvalidBackend', `${where}: ${unsupportedBackend(backend)}`));
      continue;
    }
    const service = { namespace: ingress.namespace, name: backend.service.name, port: backend.service.port, ...(clusterIP ? { clusterIP } : {}) };
    const key = upstreamKey(service);
    if (key === undefined) {
      const message = `${where}: service "${service.name}" backend sets neither port.number nor port.name`;
      diagnostics.push(diagnostic(ingress, 'InvalidBackend', message));
      continue;
    }
    const hostKey = level === 'wildcard' ? host.slice('*.'.length) : host;
    const pathKey = pathType === 'Exact' ? `=${path}` : path;
    items.push({ ingress, where, order, level, host, pathType, path, pattern, backend, entry, hostKey, pathKey, service, upstreamKey: key, fallback });
  }
  return compiled(items, diagnostics);
}

/** nginx default-backend: the Service's first port, in the Ingress's namespace. */
function fallbackOf(entry: IngressEntry): Claim['fallback'] {
  const name = defaultBackendService(entry.ingress);
  if (name === undefined) return undefined;
  const ref = { namespace: entry.ingress.namespace, name, port: {}, firstPort: true };
  return { ref, key: upstreamKey(ref) ?? '' };
}

function useSlot(state: BuildState, claim: Claim, key: string, ref: ServiceBackendRef, annotation?: string): UpstreamSlot {
  const { upstreams } = state.engine;
  let slot = upstreams.get(key);
  if (slot === undefined) {
    slot = {
      key, ref, users: new Set(), service: undefined, slices: [], resolution: undefined, winners: 0, ...(annotation === undefined ? {} : { annotation }),
    };
    upstreams.set(slot.key, slot);
  }
  slot.users.add(claim);
  return slot;
}

/** Drops a slot nothing uses; else re-resolves it when the snapshot changed, and reports its problem. */
function refreshSlot(state: BuildState, slot: UpstreamSlot, usersChanged: boolean): void {
  if (slot.users.size === 0) {
    state.engine.upstreams.delete(slot.key);
    clearDiagnostics(state, slot);
    return;
  }
  const changed = refreshUpstream(state.snapshot, slot);
  if (changed) {
    if (slot.winners > 0) state.upstreamChanges.add(slot.key);
    for (const claim of slot.users) {
      const group = findGroup(state.engine, claim);
      if (group?.winner === claim || group?.canary === claim) touch(state, group);
    }
  }
  if (changed || usersChanged) setDiagnostics(state, slot, problems(slot));
}

/** Every claim on a Service or port that is missing is reported, winner or not. */
function problems(slot: UpstreamSlot): Diagnostic[] {
  const problem = slot.resolution?.problem;
  if (problem === undefined) return [];
  const { annotation } = slot;
  if (annotation !== undefined) {
    const ingresses = new Map([...slot.users].map((claim) => [claim.entry, claim.ingress]));
    return [...ingresses.values()].map((ingress) => diagnostic(ingress, problem.reason, `annotation ${annotation}: ${problem.message}`));
  }
  return [...slot.users].map((claim) => diagnostic(claim.ingress, problem.reason, `${claim.where}: ${problem.message}`));
}

function unsupportedBackend(backend: IngressBackend): string {
  const resource = backend.resource;
  if (resource === undefined) return 'backend names neither a service nor a resource';
  const group = resource.apiGroup === undefined || resource.apiGroup === '' ? '' : `.${resource.apiGroup}`;
  return `resource backend ${resource.kind}${group} "${resource.name}" is not supported; use a service backend`;
}
