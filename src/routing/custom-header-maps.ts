// The ConfigMaps behind nginx custom-headers: each read once per object (a slot per ConfigMap:
// ingress-read-slots.ts), and turned into a ResponseHeaderModifier of the routes of the Ingresses
// that name it. A ConfigMap that is missing is reported (ConfigMapNotFound) and the annotation
// ignored: response headers open no access. When a ConfigMap's reading changes, the chains of its
// Ingresses are built again.
import type { ConfigMapObject } from '../snapshot/model.ts';
import type { Engine, IngressEntry } from './engine.ts';
import type { Diagnostic } from './types.ts';
import type { Middleware } from './middleware.ts';
import type { CustomHeadersNeed, CustomHeadersReading } from './nginx/custom-headers.ts';
import { diagnostic } from './diagnostics.ts';
import { ingressReadSlots, type IngressReadKind } from './ingress-read-slots.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';
import { readHeaderMap } from './nginx/custom-headers.ts';

const IGNORED = 'The annotation is ignored until it is created';

const CUSTOM_HEADER_MAPS: IngressReadKind<CustomHeadersNeed, ConfigMapObject, CustomHeadersReading> = {
  slotsOf: (engine) => engine.customHeaderMaps,
  refOf: (options) => options.customHeaders,
  lookup: (snapshot, { namespace, name }) => snapshot.lookupConfigMap?.(namespace, name),
  read: (configMap, { name }) => readHeaderMap(configMap, name),
  same: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  forgetBuilt: (options) => { options.chains.clear(); },
  problemsOf,
};

export const customHeaderSlots = ingressReadSlots(CUSTOM_HEADER_MAPS);

/** The response headers of a route whose Ingress names a ConfigMap, as last read; none while it is missing. */
export function customHeadersFilter(engine: Engine, need: CustomHeadersNeed): Middleware | undefined {
  const reading = engine.customHeaderMaps.get(need.slotKey)?.reading;
  if (reading === undefined || 'problem' in reading || reading.headers.length === 0) return undefined;
  return { kind: 'ResponseHeaderModifier', set: reading.headers, remove: [] };
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
