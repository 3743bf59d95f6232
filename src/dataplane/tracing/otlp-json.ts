// OTLP/JSON encoding of a batch of server spans (opentelemetry-proto's ExportTraceServiceRequest in
// its JSON mapping: ids as hex, 64-bit integers as decimal strings, enums as numbers).
import type { AttributeValue, FinishedSpan } from './span.ts';

const SPAN_KIND_SERVER = 2;
const STATUS_CODE_ERROR = 2;

export interface Resource {
  readonly attributes: readonly (readonly [string, AttributeValue])[];
}

export function encodeSpans(resource: Resource, scope: string, spans: readonly FinishedSpan[]): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: resource.attributes.map(attribute) },
      scopeSpans: [{ scope: { name: scope }, spans: spans.map(encodeSpan) }],
    }],
  });
}

function encodeSpan(span: FinishedSpan): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
    ...(span.traceState === undefined ? {} : { traceState: span.traceState }),
    name: span.name,
    kind: SPAN_KIND_SERVER,
    startTimeUnixNano: unixNanos(span.startMs),
    endTimeUnixNano: unixNanos(span.endMs),
    attributes: span.attributes.map(attribute),
    ...(span.error ? { status: { code: STATUS_CODE_ERROR } } : {}),
  };
}

function attribute([key, value]: readonly [string, AttributeValue]): Record<string, unknown> {
  return { key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } };
}

/** Nanoseconds since the epoch as decimal digits: more than a double holds, so whole milliseconds and the rest apart. */
export function unixNanos(ms: number): string {
  const whole = Math.floor(ms);
  const nanos = Math.min(999_999, Math.round((ms - whole) * 1e6));
  return `${whole}${String(nanos).padStart(6, '0')}`;
}
