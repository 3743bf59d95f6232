// The schedule of a ResponseRateLimit (nginx's limit_rate, limit_rate_after): how many bytes may
// go to the client now, and when the next slice may. Pure, so tests assert the schedule itself.
import type { ResponseRateLimit } from '../routing/middleware.ts';

/** A waiting chunk goes out in slices of a tenth of a second's worth, so it flows rather than bursts. */
const SLICES_PER_SECOND = 10;

export interface ThrottleStep {
  /** Bytes of the pending ones that may be written now. */
  readonly send: number;
  /** When not all may: milliseconds until the next slice may (at least 1). 0 when all went. */
  readonly waitMs: number;
}

/** Bytes allowed out by `elapsedMs` after the start: nginx grants after + one second's worth at once. */
export function allowedBytes(limit: Pick<ResponseRateLimit, 'bytesPerSecond' | 'afterBytes'>, elapsedMs: number): number {
  return Math.floor(limit.afterBytes + (limit.bytesPerSecond * (1000 + Math.max(0, elapsedMs))) / 1000);
}

/** With `sent` bytes out and `pending` waiting, `elapsedMs` after the start. */
export function throttleStep(limit: Pick<ResponseRateLimit, 'bytesPerSecond' | 'afterBytes'>, sent: number, pending: number, elapsedMs: number): ThrottleStep {
  const send = Math.min(pending, Math.max(0, allowedBytes(limit, elapsedMs) - sent));
  if (send === pending) return { send, waitMs: 0 };
  const slice = Math.min(pending - send, Math.max(1, Math.ceil(limit.bytesPerSecond / SLICES_PER_SECOND)));
  // The first time allowedBytes reaches sent + send + slice.
  const dueMs = Math.ceil(((sent + send + slice - limit.afterBytes) * 1000) / limit.bytesPerSecond) - 1000;
  return { send, waitMs: Math.max(1, dueMs - elapsedMs) };
}
