// The ConfigMaps behind nginx custom-headers: each read once per object (a slot per ConfigMap,
// checked against the snapshot on every build, like auth Secrets), and turned into a
// ResponseHeaderModifier of the routes of the Ingresses that name it. A ConfigMap that is missing is
// reported (ConfigMapNotFound) and the annotation ignored: response headers open no access. When a
// ConfigMap's reading changes, the chains of its Ingresses are built again.
import type { CustomHeaderSlot, Engine, IngressEntry } from './engine.ts';
import type { BuildState } from './state.ts';
import type { Diagnostic } from './types.ts';
import type { Middleware } from './middleware.ts';
import type { CustomHeadersNeed, CustomHeadersReading } from './nginx/custom-headers.ts';
import { clearDiagnostics, setDiagnostics, touch } from './state.ts';
import { diagnostic } from './diagnostics.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';
import { readHeaderMap } from './nginx/custom-headers.ts';
import { findGroup } from './route-groups.ts';

const IGNORED = 'The annotation is ignored until it is created';

export function unlinkCustomHeaders(state: BuildState, entry: IngressEntry): void {
  const need = entry.options?.customHeaders;
  if (need === undefined) return;
  clearDiagnostics(state, need);
  state.engine.customHeaderMaps.get(need.slotKey)?.users.delete(entry);
}

export function linkCustomHeaders(state: BuildState, entry: IngressEntry): void {
  const need = entry.options?.customHeaders;
  if (need === undefined) return;
  const slots = state.engine.customHeaderMaps;
  let slot = slots.get(need.slotKey);
  if (slot === undefined) {
    slot = { need, users: new Set(), configMap: undefined, reading: undefined };
    slots.set(need.slotKey, slot);
  }
  slot.users.add(entry);
  // Chains kept from an earlier time the Ingress was served may hold an older reading.
  entry.options?.chains.clear();
  if (slot.reading !== undefined) setDiagnostics(state, need, problemsOf(entry, need, slot.reading));
}

/** Drops slots nothing uses; reads again the ConfigMaps the snapshot replaced and rebuilds their users' chains. */
export function refreshCustomHeaders(state: BuildState): void {
  const slots = state.engine.customHeaderMaps;
  for (const [key, slot] of slots) {
    if (slot.users.size === 0) {
      slots.delete(key);
      continue;
    }
    if (!reread(state, slot)) continue;
    for (const entry of slot.users) rebuildChains(state, entry, slot);
  }
}

/** The response headers of a route whose Ingress names a ConfigMap, as last read; none while it is missing. */
export function customHeadersFilter(engine: Engine, need: CustomHeadersNeed): Middleware | undefined {
  const reading = engine.customHeaderMaps.get(need.slotKey)?.reading;
  if (reading === undefined || 'problem' in reading || reading.headers.length === 0) return undefined;
  return { kind: 'ResponseHeaderModifier', set: reading.headers, remove: [] };
}

function reread(state: BuildState, slot: CustomHeaderSlot): boolean {
  const { namespace, name } = slot.need;
  const configMap = state.snapshot.lookupConfigMap?.(namespace, name);
  if (slot.reading !== undefined && configMap === slot.configMap) return false;
  slot.configMap = configMap;
  const next = readHeaderMap(configMap, name);
  if (slot.reading !== undefined && JSON.stringify(slot.reading) === JSON.stringify(next)) return false;
  slot.reading = next;
  return true;
}

function rebuildChains(state: BuildState, entry: IngressEntry, slot: CustomHeaderSlot): void {
  const { options } = entry;
  if (options?.customHeaders === undefined || slot.reading === undefined) return;
  setDiagnostics(state, options.customHeaders, problemsOf(entry, options.customHeaders, slot.reading));
  options.chains.clear();
  for (const claim of entry.claims?.items ?? []) {
    const group = findGroup(state.engine, claim);
    if (group !== undefined) touch(state, group);
  }
}

function problemsOf(entry: IngressEntry, need: CustomHeadersNeed, reading: CustomHeadersReading): Diagnostic[] {
  const where = `annotation ${NGINX_PREFIX}custom-headers`;
  if ('problem' in reading) {
    const reason = reading.problem.endsWith('was not found') ? 'ConfigMapNotFound' : 'InvalidCustomHeaders';
    return [diagnostic(entry.ref, reason, `${where}: ${reading.problem}. ${reason === 'ConfigMapNotFound' ? IGNORED : 'It is ignored'}`)];
  }
  if (reading.refused.length === 0) return [];
  const message = `${where}: configmap "${need.name}": keys that cannot be response headers (not a header name, a control character in the value, or a header Bollard writes itself) are left out: ${reading.refused.join(', ')}`;
  return [diagnostic(entry.ref, 'InvalidCustomHeaders', message)];
}
