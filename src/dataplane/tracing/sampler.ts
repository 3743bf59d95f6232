// Which traces are recorded: a ratio of trace ids (OpenTelemetry's TraceIdRatioBased; 1 is AlwaysOn,
// 0 AlwaysOff), or, parent-based, the caller's sampled flag when there is a trusted parent. The
// decision reads the trace id only, so every replica and worker decides a trace alike.
import type { TraceParent } from './trace-context.ts';

export interface SamplerSettings {
  /** 0 to 1. */
  readonly ratio: number;
  /** A trusted parent's sampled flag decides instead of the ratio. */
  readonly parentBased: boolean;
}

/** The low 52 bits of the id (the most a double holds exactly), as a fraction of 2^52. */
const LOW_DIGITS = 13;
const SCALE = 2 ** 52;

export function sampled(settings: SamplerSettings, traceId: string, parent: TraceParent | undefined): boolean {
  if (settings.parentBased && parent !== undefined) return parent.sampled;
  if (settings.ratio >= 1) return true;
  if (settings.ratio <= 0) return false;
  return Number.parseInt(traceId.slice(-LOW_DIGITS), 16) / SCALE < settings.ratio;
}
