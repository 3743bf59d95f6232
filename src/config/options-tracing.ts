// OpenTelemetry tracing (ingress-nginx's enable-opentelemetry, otlp-collector-*, otel-* ConfigMap
// keys, as flags). An Ingress overrides --otel-enabled and --otel-trust-incoming-span with
// nginx.ingress.kubernetes.io/enable-opentelemetry and opentelemetry-trust-incoming-span.
import { option, type OptionSpec } from './option.ts';

export const tracingOptions: readonly OptionSpec[] = [
  option('otel-endpoint', 'OTLP/HTTP traces URL spans are exported to as JSON, e.g. http://otel-collector.observability:4318/v1/traces (ingress-nginx: otlp-collector-host and -port, which speak OTLP/gRPC); empty: no tracing at all, whatever Ingresses say.', ''),
  option('otel-enabled', 'Trace the requests of every route (ingress-nginx: enable-opentelemetry); an Ingress\'s nginx.ingress.kubernetes.io/enable-opentelemetry wins either way (true/false).', 'false'),
  option('otel-trust-incoming-span', 'Continue the client\'s W3C traceparent (and pass its tracestate on) instead of starting a new trace; an Ingress\'s opentelemetry-trust-incoming-span wins (true/false).', 'true'),
  option('otel-service-name', 'The spans\' service.name (ingress-nginx: otel-service-name).', 'bollard'),
  option('otel-sampler-ratio', 'Share of new traces recorded, 0 to 1, decided by the trace id (ingress-nginx: otel-sampler TraceIdRatioBased with otel-sampler-ratio; AlwaysOn is 1, AlwaysOff 0). Requests that are not recorded still send the upstream a traceparent, flagged not sampled.', '1'),
  option('otel-sampler-parent-based', 'With a trusted parent, record the request exactly when the parent was sampled, instead of by --otel-sampler-ratio (ingress-nginx: otel-sampler-parent-based; true/false).', 'false'),
  option('otel-max-queue-size', 'Spans waiting for export, per data-plane process; more are dropped and counted in bollard_trace_spans_dropped_total (ingress-nginx: otel-max-queuesize).', '2048'),
  option('otel-max-export-batch-size', 'Spans per export at most; a full batch leaves at once (ingress-nginx: otel-max-export-batch-size).', '512'),
  option('otel-schedule-delay-ms', 'The longest a span waits for its batch to fill (ingress-nginx: otel-schedule-delay-millis).', '5000'),
  option('otel-export-timeout-ms', 'How long one export may take; a batch not accepted by then is dropped.', '10000'),
];
