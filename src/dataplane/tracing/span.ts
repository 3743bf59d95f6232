// A request's server span: begun when its route is known (ids and what only the request has), ended
// when the request is recorded (its status, upstream and duration).
import type { Route } from '../../routing/types.ts';

export interface ServerSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The client's span, when its traceparent was trusted and valid. */
  readonly parentSpanId: string | undefined;
  readonly sampled: boolean;
  /** The client's tracestate, passed on with a trusted parent. */
  readonly traceState: string | undefined;
  /** The immediate peer's address. */
  readonly peerAddress: string;
  readonly userAgent: string | undefined;
  readonly scheme: 'http' | 'https';
  /** "1.1" or "2". */
  readonly protocolVersion: string;
}

/** What the span's end reads from the request's record (dataplane/proxy-handler.ts RequestRecord). */
export interface SpanEnd {
  readonly span?: ServerSpan;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly status: number;
  readonly route: Route | undefined;
  /** "host:port" of the endpoint that answered. */
  readonly upstream: string | undefined;
  readonly errorKind: string | undefined;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
}

export type AttributeValue = string | number;

/** An ended span, ready to encode. */
export interface FinishedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly traceState: string | undefined;
  readonly name: string;
  /** Milliseconds since the epoch, with fractions. */
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: readonly (readonly [string, AttributeValue])[];
  readonly error: boolean;
}
