// Validation of the --otel-* flags (options-tracing.ts).
import { z } from 'zod';

const bool = z.enum(['true', 'false']).transform((s) => s === 'true');

const otlpUrl = z.string().refine((s) => {
  if (s === '') return true;
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.hash === '';
  } catch {
    return false;
  }
}, 'expected an http(s) URL such as http://otel-collector:4318/v1/traces');

export const tracingShape = {
  otelEndpoint: otlpUrl,
  otelEnabled: bool,
  otelTrustIncomingSpan: bool,
  otelServiceName: z.string().min(1).max(256),
  otelSamplerRatio: z.coerce.number().min(0).max(1),
  otelSamplerParentBased: bool,
  otelMaxQueueSize: z.coerce.number().int().min(1).max(1_000_000),
  otelMaxExportBatchSize: z.coerce.number().int().min(1).max(100_000),
  otelScheduleDelayMs: z.coerce.number().int().min(1).max(600_000),
  otelExportTimeoutMs: z.coerce.number().int().min(1).max(600_000),
};

/** As the OpenTelemetry SDKs require: a batch never exceeds the queue. */
export function checkTracing(c: { otelMaxExportBatchSize: number; otelMaxQueueSize: number }, ctx: z.RefinementCtx): void {
  if (c.otelMaxExportBatchSize > c.otelMaxQueueSize) {
    ctx.addIssue({ code: 'custom', message: '--otel-max-export-batch-size must not exceed --otel-max-queue-size', path: ['otelMaxExportBatchSize'] });
  }
}
