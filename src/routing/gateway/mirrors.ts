// A rule's RequestMirror filters → RequestMirror middlewares. The mirror's backendRef is checked like
// any backendRef (a Service, a port, a ReferenceGrant across namespaces); an invalid one is dropped
// (the spec: "must be dropped from the Gateway") and reported in ResolvedRefs, the rule still serves.
import type { ClusterSnapshot } from '../../snapshot/model.ts';
import type { GatewayApiSnapshot, RequestMirrorFilter, RouteFilter, RouteObject } from '../../snapshot/gateway-model.ts';
import type { RequestMirror } from '../middleware.ts';
import { protocolForAppProtocol } from '../option-values.ts';
import type { Upstream } from '../types.ts';
import { resolveBackends, type BackendProblem } from './backends.ts';

/** A filter's middleware; a string: the filter is unusable (its rule is not served); undefined: dropped. */
export type MirrorOutcome = RequestMirror | string | undefined;

export interface RuleMirrors {
  readonly byFilter: ReadonlyMap<RouteFilter, MirrorOutcome>;
  /** The mirrors' upstreams, for the table's upstreams (the data plane's pools). */
  readonly upstreams: readonly Upstream[];
  readonly problems: readonly BackendProblem[];
}

export const NO_MIRRORS: RuleMirrors = { byFilter: new Map(), upstreams: [], problems: [] };

export function resolveMirrors(route: RouteObject, filters: readonly RouteFilter[], api: GatewayApiSnapshot, snapshot: ClusterSnapshot): RuleMirrors {
  if (!filters.some((f) => f.type === 'RequestMirror')) return NO_MIRRORS;
  const byFilter = new Map<RouteFilter, MirrorOutcome>();
  const upstreams: Upstream[] = [];
  const problems: BackendProblem[] = [];
  for (const f of filters) {
    if (f.type !== 'RequestMirror') continue;
    const spec = f.requestMirror;
    if (spec === undefined) {
      byFilter.set(f, 'RequestMirror filter without requestMirror');
      continue;
    }
    const ratio = ratioOf(spec);
    if (typeof ratio === 'string') {
      byFilter.set(f, ratio);
      continue;
    }
    const resolved = resolveBackends(route, [{ ...spec.backendRef, weight: 1 }], api, snapshot);
    problems.push(...resolved.problems.map((p) => ({ ...p, message: `requestMirror: ${p.message}` })));
    const target = resolved.backends[0];
    if (target === undefined || target.invalid) {
      byFilter.set(f, undefined);
      continue;
    }
    const { upstream } = target;
    upstreams.push(upstream);
    const backendProtocol = route.kind === 'GRPCRoute' && upstream.appProtocol === undefined ? 'GRPC' : protocolForAppProtocol(upstream.appProtocol);
    byFilter.set(f, { kind: 'RequestMirror', upstreamKey: upstream.key, backendProtocol, ratio });
  }
  return { byFilter, upstreams, problems };
}

/** percent, or fraction, as a share 0–1; neither: every request. */
function ratioOf(spec: RequestMirrorFilter): number | string {
  const { percent, fraction } = spec;
  if (percent !== undefined && fraction !== undefined) return 'requestMirror: only one of percent and fraction may be set';
  if (percent !== undefined) return percent >= 0 && percent <= 100 ? percent / 100 : `requestMirror: percent ${String(percent)} is not within 0–100`;
  if (fraction === undefined) return 1;
  const { numerator, denominator } = fraction;
  if (denominator < 1 || numerator < 0 || numerator > denominator) return `requestMirror: fraction ${String(numerator)}/${String(denominator)} is not within 0–1`;
  return numerator / denominator;
}
