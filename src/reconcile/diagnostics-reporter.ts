// Reports each Ingress problem once when it appears: a structured log line on every replica,
// and a Kubernetes Event from the leader. A problem that goes away and comes back is reported again.
import type { EventRecorder } from '../kube/events.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { Diagnostic } from '../routing/types.ts';
import type { IngressObject } from '../snapshot/model.ts';

export type IngressLookup = (namespace: string, name: string) => IngressObject | undefined;

export interface DiagnosticsReporter {
  report(diagnostics: readonly Diagnostic[], lookupIngress: IngressLookup, isLeader: boolean): Promise<void>;
}

const keyOf = (d: Diagnostic): string => `${d.ingress.namespace}/${d.ingress.name}\n${d.reason}\n${d.message}`;

export function createDiagnosticsReporter(deps: { log: Logger; metrics: Metrics; events: EventRecorder }): DiagnosticsReporter {
  let logged = new Set<string>();
  let evented = new Set<string>();
  return {
    async report(diagnostics, lookupIngress, isLeader) {
      const current = new Set(diagnostics.map(keyOf));
      const byReason = new Map<string, number>();
      const sends: Promise<void>[] = [];
      const nextEvented = new Set<string>();
      for (const d of diagnostics) {
        const key = keyOf(d);
        byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
        if (!logged.has(key)) {
          deps.log.warn('ingress problem', { ingress: `${d.ingress.namespace}/${d.ingress.name}`, reason: d.reason, message: d.message });
        }
        const ingress = lookupIngress(d.ingress.namespace, d.ingress.name);
        if (!isLeader || !ingress) continue;
        nextEvented.add(key);
        if (evented.has(key)) continue;
        sends.push(deps.events.record(ingress, { type: 'Warning', reason: d.reason, message: d.message }).catch((err: unknown) => {
          nextEvented.delete(key);
          deps.log.warn('could not record event', { ingress: key.split('\n')[0], err });
        }));
      }
      await Promise.all(sends);
      logged = current;
      evented = nextEvented;
      deps.metrics.diagnostics.reset();
      for (const [reason, n] of byReason) deps.metrics.diagnostics.set({ reason }, n);
    },
  };
}
