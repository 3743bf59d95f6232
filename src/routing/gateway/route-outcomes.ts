// What each route came to in the last build (kept in the BuildCache): the parents it attached to,
// its compilation and its status report. Reused while the route is the same object, the listeners
// it may attach to look the same (attachEnvironment) and its compilation is still valid
// (route-cache.ts), so an unchanged route costs a few lookups instead of attaching, keying and
// reporting again. A reused outcome hands back the same report object: the status writer skips a
// route whose object and report it has already found in agreement (status/route-status.ts).
import type { RouteObject } from '../../snapshot/gateway-model.ts';
import { refKey } from '../../snapshot/model.ts';
import type { ParentResult } from './attach.ts';
import type { CompiledByTable } from './build-gateway.ts';
import type { HostGroup } from './host-buckets.ts';
import type { GatewayState, ListenerState } from './listeners.ts';
import type { RouteReport } from './report.ts';

export interface AttachedOutcome {
  readonly attached: readonly ParentResult[];
  /** The listeners it attaches to (listenerKey), each once: they count it in attachedRoutes. */
  readonly listeners: readonly string[];
  readonly attachKey: string;
  readonly compiled: CompiledByTable;
  /** The compiled candidates of each table grouped by host (host-buckets.ts). */
  readonly hostGroups: readonly { readonly key: string; readonly groups: readonly HostGroup[] }[];
  readonly report: RouteReport;
}

/** Attached to nothing of ours: no candidates, no report. */
export type RouteOutcome = AttachedOutcome | 'unattached';

interface Entry {
  readonly environment: string;
  readonly outcome: RouteOutcome;
}

export class RouteOutcomes {
  private entries = new WeakMap<RouteObject, Entry>();
  /** Outcomes reused since the memo was made (for tests and the bench). */
  reused = 0;

  /** The route's last outcome, if the listeners looked the same then (the caller checks its compilation). */
  lookup(route: RouteObject, environment: string | undefined): RouteOutcome | undefined {
    if (environment === undefined) return undefined;
    const entry = this.entries.get(route);
    return entry?.environment === environment ? entry.outcome : undefined;
  }

  keep(route: RouteObject, environment: string | undefined, outcome: RouteOutcome): void {
    if (environment === undefined) this.entries.delete(route);
    else this.entries.set(route, { environment, outcome });
  }
}

/** A listener's identity across builds (its state object is made anew each build). */
export function listenerKey(l: ListenerState): string {
  return `${refKey(l.gateway)}\n${l.listenerSet === undefined ? '' : refKey(l.listenerSet)}\n${l.listener.name}`;
}

/**
 * Everything of the Gateways that attaching a route reads (attach.ts) and that its compilation is
 * keyed on (the table each listener serves in), as one string; equal strings attach every route
 * alike. Undefined — no reuse — while a listener selects namespaces by label: namespace labels
 * would have to be part of it.
 */
export function attachEnvironment(gateways: readonly GatewayState[], tableKey: (l: ListenerState) => string | undefined): string | undefined {
  const parts: string[] = [];
  for (const g of gateways) {
    parts.push(`G ${refKey(g.gateway)}`);
    for (const s of g.listenerSets) parts.push(`S ${refKey(s.listenerSet)} ${s.refused?.reason ?? ''}`);
    for (const l of g.listeners) {
      const { listener } = l;
      if (listener.allowedFrom === 'Selector') return undefined;
      const kinds = l.supportedKinds.map((k) => `${k.group}/${k.kind}`).join(',');
      parts.push(`L ${listenerKey(l)} ${String(listener.port)} ${listener.protocol} ${l.proto} ${listener.hostname ?? '*'} ${String(l.served)} ${String(l.attachable)} ${String(l.ownPort)} ${listener.allowedFrom} ${kinds} ${tableKey(l) ?? '-'}`);
    }
  }
  return parts.join('\n');
}
