// W3C Trace Context (https://www.w3.org/TR/trace-context/): reading the client's traceparent and
// writing ours. A value that does not parse is no parent at all: the request starts a new trace.
import type { IncomingHttpHeaders } from 'node:http';

export interface TraceParent {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** The caller's span: 16 lower-case hex digits, not all zero. */
  readonly spanId: string;
  readonly sampled: boolean;
}

/** version-traceid-parentid-flags, and for later versions whatever follows a dash. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The traceparent header, or undefined when it is missing, repeated or invalid: version "ff", upper
 * case, an all-zero id, a wrong length (version 00 is exactly 55 characters; a later version may be
 * longer, its extra fields after a dash ignored, as the specification asks).
 */
export function parseTraceparent(header: string | string[] | undefined): TraceParent | undefined {
  if (typeof header !== 'string') return undefined;
  const m = TRACEPARENT.exec(header);
  if (m === null) return undefined;
  const [, version, traceId = ZERO_TRACE, spanId = ZERO_SPAN, flags = '00', rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined) || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Version 00, with only the sampled flag (other flags are not ours to pass on). */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/** The tracestate header as one value (repeated fields joined, as HTTP allows), or undefined. */
export function traceStateOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.tracestate;
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}
