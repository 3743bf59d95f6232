// The data plane's tracing settings for feature tests: every span sampled, the controller default
// off (Ingresses turn it on), spans exported one per batch unless a test asks otherwise.
import type { TracingConfig } from '../../../src/dataplane/tracing/start-tracing.ts';

export function tracingConfig(endpoint: string, overrides: Partial<TracingConfig> = {}): TracingConfig {
  return {
    endpoint, serviceName: 'bollard-test', serviceInstanceId: 'pod-0', enabled: false, trustIncomingSpan: true, ratio: 1, parentBased: false,
    // One span per export, so each request's span leaves as soon as it ends.
    maxQueueSize: 100, maxBatchSize: 1, scheduleDelayMs: 60_000, exportTimeoutMs: 5000, ...overrides,
  };
}
