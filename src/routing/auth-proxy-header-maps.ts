// The ConfigMaps behind nginx auth-proxy-set-headers: each read once per object (a slot per
// ConfigMap: ingress-read-slots.ts) into the request headers of the routes' ForwardAuth. A missing
// or unusable ConfigMap is reported (ConfigMapNotFound, InvalidAuthProxyHeaders) and the routes
// refuse (503), as ingress-nginx denies the location. A changed reading rebuilds the chains.
import type { ConfigMapObject } from '../snapshot/model.ts';
import type { Engine, IngressEntry } from './engine.ts';
import type { Diagnostic } from './types.ts';
import type { Middleware } from './middleware.ts';
import type { AuthProxyHeadersNeed, AuthProxyHeadersReading } from './nginx/auth-proxy-headers.ts';
import { diagnostic } from './diagnostics.ts';
import { ingressReadSlots, type IngressReadKind } from './ingress-read-slots.ts';
import { NGINX_PREFIX } from './nginx/catalog.ts';
import { readHeaderTemplates } from './nginx/auth-proxy-headers.ts';

const REFUSED = 'Requests to its routes are refused (503) until it is fixed';
const NOT_READ: AuthProxyHeadersReading = { problem: 'not read yet' };
const REASON = `${NGINX_PREFIX}auth-proxy-set-headers`;

const AUTH_PROXY_HEADER_MAPS: IngressReadKind<AuthProxyHeadersNeed, ConfigMapObject, AuthProxyHeadersReading> = {
  slotsOf: (engine) => engine.authProxyHeaderMaps,
  refOf: (options) => (options.authProxyHeaders === 'refuse' ? undefined : options.authProxyHeaders),
  lookup: (snapshot, { namespace, name }) => snapshot.lookupConfigMap?.(namespace, name),
  read: (configMap, { name }) => readHeaderTemplates(configMap, name),
  same: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  forgetBuilt: (options) => { options.chains.clear(); },
  problemsOf,
};

export const authProxyHeaderSlots = ingressReadSlots(AUTH_PROXY_HEADER_MAPS);

/** The route's filters with the ConfigMap's headers on its ForwardAuth, or a refusal while it is unusable. */
export function withAuthProxyHeaders(engine: Engine, need: AuthProxyHeadersNeed | 'refuse', filters: readonly Middleware[]): Middleware[] {
  const reading = need === 'refuse' ? NOT_READ : engine.authProxyHeaderMaps.get(need.slotKey)?.reading ?? NOT_READ;
  if ('problem' in reading) return [...filters.filter((f) => f.kind !== 'ForwardAuth'), { kind: 'Refuse', status: 503, reason: REASON }];
  return filters.map((f) => (f.kind === 'ForwardAuth' && f.setHeaders === undefined ? { ...f, setHeaders: reading.headers } : f));
}

function problemsOf(entry: IngressEntry, _need: AuthProxyHeadersNeed, reading: AuthProxyHeadersReading): Diagnostic[] {
  if (!('problem' in reading)) return [];
  const reason = reading.problem.endsWith('was not found') ? 'ConfigMapNotFound' : 'InvalidAuthProxyHeaders';
  return [diagnostic(entry.ref, reason, `annotation ${REASON}: ${reading.problem}. ${REFUSED}`)];
}
