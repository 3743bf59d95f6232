// Live per-endpoint state the balancer needs: requests in flight, a latency EWMA, and passive
// health (consecutive failures eject an endpoint for a back-off period that doubles on repeated
// ejections, up to 8x). Kept outside the routing table; survives table swaps.
import type { Endpoint } from '../../routing/types.ts';

export const endpointKey = (e: Endpoint): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);

export interface HealthPolicy {
  readonly ejectAfterFailures: number;
  readonly ejectMs: number;
}

export class EndpointStats {
  inflight = 0;
  /** Exponentially weighted latency in ms; starts optimistic so new endpoints get traffic. */
  ewmaMs = 1;
  failures = 0;
  ejections = 0;
  ejectedUntil = 0;

  isEjected(now: number): boolean {
    return this.ejectedUntil > now;
  }

  started(): void {
    this.inflight += 1;
  }

  /** Records the end of a request; returns true when this failure ejected the endpoint. */
  finished(latencyMs: number, ok: boolean, now: number, policy: HealthPolicy): boolean {
    this.inflight = Math.max(0, this.inflight - 1);
    if (ok) {
      this.ewmaMs = this.ewmaMs * 0.8 + latencyMs * 0.2;
      this.failures = 0;
      this.ejections = 0;
      return false;
    }
    this.failures += 1;
    if (this.failures < policy.ejectAfterFailures) return false;
    this.failures = 0;
    this.ejectedUntil = now + policy.ejectMs * 2 ** Math.min(this.ejections, 3);
    this.ejections += 1;
    return true;
  }
}
