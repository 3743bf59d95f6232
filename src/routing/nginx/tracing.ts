// nginx enable-opentelemetry, opentelemetry-trust-incoming-span, opentelemetry-operation-name and
// opentelemetry-propagation-type: the Ingress's overrides of the controller's tracing (--otel-*),
// which the data plane resolves per request (dataplane/tracing/). An invalid value is reported and
// the controller's setting applies, as ingress-nginx falls back to its defaults.
import type { RouteTracing } from '../types.ts';
import type { AnnotationReader } from './reader.ts';
import { parseGoBoolean } from './values.ts';

/** ingress-nginx's check of the operation name: letters, digits, '_' and '-' (no nginx variables). */
const OPERATION_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const CONTROLLER_SETTING = 'The controller\'s setting (--otel-*) applies';

export function readTracing(read: AnnotationReader): RouteTracing | undefined {
  const enabled = read('enable-opentelemetry', '"true" or "false"', parseGoBoolean, CONTROLLER_SETTING)?.value;
  const trustIncomingSpan = read('opentelemetry-trust-incoming-span', '"true" or "false"', parseGoBoolean, CONTROLLER_SETTING)?.value;
  const operationName = read('opentelemetry-operation-name', 'letters, digits, "_" and "-" (at most 128)',
    (w) => (OPERATION_NAME.test(w) ? { value: w } : undefined), 'The span is named "<method> <path>"')?.value;
  read('opentelemetry-propagation-type', '"w3c" (B3 is not supported)', (w) => (w === 'w3c' ? { value: w } : undefined),
    'W3C trace context (traceparent, tracestate) is used');
  if (enabled === undefined && trustIncomingSpan === undefined && operationName === undefined) return undefined;
  return {
    key: `${enabled ?? ''}|${trustIncomingSpan ?? ''}|${operationName ?? ''}`,
    enabled, trustIncomingSpan, operationName,
  };
}
