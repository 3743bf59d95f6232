// Tracing for one data plane (each worker process has its own): the tracer the proxy handler asks,
// the batcher its sampled spans wait in, and the OTLP/HTTP exporter the batches leave through.
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../log/logger.ts';
import type { Metrics } from '../../metrics/registry.ts';
import { Batcher, type BatcherSettings } from './batcher.ts';
import { RandomIds } from './ids.ts';
import { encodeSpans } from './otlp-json.ts';
import { createOtlpExporter } from './otlp-exporter.ts';
import type { FinishedSpan } from './span.ts';
import { Tracer, type TracerSettings } from './tracer.ts';

/** The controller's tracing settings (--otel-*), as the data plane gets them. */
export interface TracingConfig extends TracerSettings, BatcherSettings {
  /** The OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. */
  readonly endpoint: string;
  /** Resource attributes service.name and service.instance.id. */
  readonly serviceName: string;
  readonly serviceInstanceId: string;
  readonly exportTimeoutMs: number;
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is queued, then closes the exporter's connections; gives up after one export timeout. */
  close(): Promise<void>;
}

const SCOPE = 'bollard';

export function startTracing(config: TracingConfig, deps: { metrics: Metrics; log: Logger }): Tracing {
  const { metrics, log } = deps;
  const exporter = createOtlpExporter(config.endpoint, config.exportTimeoutMs);
  const resource = { attributes: [['service.name', config.serviceName], ['service.instance.id', config.serviceInstanceId]] as const };
  const batcher = new Batcher<FinishedSpan>(config, {
    send: (spans) => exporter.send(encodeSpans(resource, SCOPE, spans)),
    schedule: (ms, run) => {
      const timer = setTimeout(run, ms).unref();
      return () => { clearTimeout(timer); };
    },
    onExported: (count) => { metrics.traceSpansExported.inc(count); },
    onDropped: (count, reason) => { metrics.traceSpansDropped.inc({ reason }, count); },
    onError: (err) => {
      metrics.traceExportErrors.inc();
      log.warn('span export failed; the batch is dropped', { endpoint: config.endpoint, error: err instanceof Error ? err.message : String(err) });
    },
  });
  const tracer = new Tracer(config, new RandomIds(), (span) => { batcher.add(span); });
  return {
    tracer,
    async close() {
      // A collector that is down must not hold the shutdown for one timeout per queued batch.
      const flushed = await Promise.race([batcher.flush().then(() => true), delay(config.exportTimeoutMs, false, { ref: false })]);
      if (flushed) {
        await exporter.close();
        return;
      }
      const left = batcher.discard();
      if (left > 0) metrics.traceSpansDropped.inc({ reason: 'shutdown' }, left);
      log.warn('spans still queued at shutdown are dropped', { endpoint: config.endpoint, spans: left });
      await exporter.destroy();
    },
  };
}
