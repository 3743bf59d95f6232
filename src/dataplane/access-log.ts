// Turns each finished request into metrics and (optionally) one JSON access-log line.
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { RequestRecord } from './proxy-handler.ts';

export function createRequestRecorder(metrics: Metrics, accessLog: Logger | undefined): (r: RequestRecord) => void {
  return (r) => {
    const seconds = (performance.now() - r.startedAt) / 1000;
    const ingress = r.route ? `${r.route.ingress.namespace}/${r.route.ingress.name}` : '';
    const service = r.route ? r.route.upstream.key : '';
    const labels = { ingress, service, status_class: `${Math.floor(r.status / 100)}xx` };
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(labels, seconds);
    if (r.errorKind !== undefined && r.errorKind !== 'client_abort') metrics.upstreamErrors.inc({ service, kind: r.errorKind });
    accessLog?.info('request', {
      method: r.method, host: r.host, path: r.path, status: r.status, bytes: r.bytes,
      durationMs: Number((seconds * 1000).toFixed(3)), upstream: r.upstream, ingress, service,
      ...(r.requestId === undefined ? {} : { requestId: r.requestId }),
      ...(r.errorKind === undefined ? {} : { error: r.errorKind }),
    });
  };
}
