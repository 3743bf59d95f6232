// Turns each finished request into metrics and (optionally) one JSON access-log line. This runs
// once per request, so it avoids per-request work that can be done once: metric cells are
// bound per route and status class (no label hashing per request), the timestamp string is
// reused within a millisecond, and the line is assembled directly rather than via a Logger.
import type { CounterCell, HistogramCell } from '../metrics/cells.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { Route } from '../routing/types.ts';
import type { RequestRecord } from './proxy-handler.ts';

interface Bound {
  readonly requests: CounterCell;
  readonly duration: HistogramCell;
  /** The access log's ingress and service fields, rendered once per route. */
  readonly logFields: string;
}

export type AccessLogWrite = (line: string) => void;

/** `fields` are added to every access-log line (e.g. the worker number). */
export function createRequestRecorder(metrics: Metrics, accessLog: AccessLogWrite | undefined, fields: Readonly<Record<string, string | number>> = {}): (r: RequestRecord) => void {
  const extra = Object.entries(fields).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('');
  const byRoute = new WeakMap<Route, Map<number, Bound>>();
  const unrouted = new Map<number, Bound>();
  const bind = (route: Route | undefined, statusClass: number): Bound => {
    let forRoute = route ? byRoute.get(route) : unrouted;
    if (!forRoute) {
      forRoute = new Map();
      if (route) byRoute.set(route, forRoute);
    }
    let bound = forRoute.get(statusClass);
    if (!bound) {
      const labels = { ingress: route ? `${route.ingress.namespace}/${route.ingress.name}` : '', service: route?.upstream.key ?? '', status_class: `${statusClass}xx` };
      bound = {
        requests: metrics.requests.cell(labels), duration: metrics.requestDuration.cell(labels),
        logFields: `,"ingress":${str(labels.ingress)},"service":${str(labels.service)}`,
      };
      forRoute.set(statusClass, bound);
    }
    return bound;
  };
  let lastMs = 0;
  let lastIso = '';
  return (r) => {
    const seconds = (performance.now() - r.startedAt) / 1000;
    const bound = bind(r.route, Math.floor(r.status / 100));
    bound.requests.inc();
    // A tunnel's lifetime is not a response time; it has its own histogram (tunnels.ts).
    if (r.tunnel === undefined) bound.duration.observe(seconds);
    const service = r.route?.upstream.key ?? '';
    if (r.errorKind !== undefined && r.errorKind !== 'client_abort') metrics.upstreamErrors.inc({ service, kind: r.errorKind });
    // nginx enable-access-log "false": counted above, not logged.
    if (!accessLog || r.route?.options.accessLog === false) return;
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastIso = new Date(now).toISOString();
    }
    accessLog(formatLine(r, lastIso, seconds, bound.logFields, extra));
  };
}

// Most values need no escaping (hosts are normalised, targets are visible ASCII); JSON.stringify
// only when one does.
// eslint-disable-next-line no-control-regex -- control characters are what needs escaping
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/;
const str = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

function formatLine(r: RequestRecord, time: string, seconds: number, routeFields: string, extra: string): string {
  const upstream = r.upstream === undefined ? '' : `,"upstream":${str(r.upstream)}`;
  const requestId = r.requestId === undefined ? '' : `,"requestId":${str(r.requestId)}`;
  const error = r.errorKind === undefined ? '' : `,"error":${str(r.errorKind)}`;
  const tunnel = r.tunnel === undefined ? '' : `,"bytesFromClient":${r.tunnel.bytesFromClient},"closedBy":"${r.tunnel.closedBy}"`;
  return `{"time":"${time}","level":"info","msg":"request","log":"access","client":${str(r.client)},"method":${str(r.method)},"host":${str(r.host)},"path":${str(r.path)},` +
    `"status":${r.status},"bytes":${r.bytes},"durationMs":${(seconds * 1000).toFixed(3)}${routeFields}${upstream}${requestId}${error}${tunnel}${extra}}\n`;
}
