// RateLimit (src/routing/middleware.ts): one token bucket per client address and limit, kept in this
// process (each data-plane worker counts on its own, as each ingress-nginx pod does), and a count of
// requests in progress. A request that finds a bucket empty, or no room, gets the data plane's
// rejection status (--limit-rejection-status).
import type { RateLimit } from '../../routing/middleware.ts';
import { trustChecker } from '../client-address.ts';
import type { ChainRequest, Step } from './step.ts';

interface Bucket { tokens: number; at: number }

/** Addresses tracked per limit before idle (full) buckets are swept. */
const SWEEP_AT = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly capacity: number;

  constructor(perSecond: number, burst: number) {
    this.perMs = perSecond / 1000;
    // nginx's limit_req with burst B (nodelay) passes B + 1 requests at once.
    this.capacity = burst + 1;
  }

  /** Takes a token for `key` at time `nowMs`; false when there is none. */
  take(key: string, nowMs: number): boolean {
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(nowMs);
      b = { tokens: this.capacity, at: nowMs };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.capacity, b.tokens + (nowMs - b.at) * this.perMs);
      b.at = nowMs;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Forgets buckets that have refilled: they behave as new ones. */
  private sweep(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (nowMs - b.at) * this.perMs >= this.capacity) this.buckets.delete(key);
    }
  }
}

/** Requests in progress per client address; an address is forgotten when it has none. */
export class InProgress {
  private readonly counts = new Map<string, number>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Whether `key` may start one more request. */
  hasRoom(key: string): boolean {
    return (this.counts.get(key) ?? 0) < this.max;
  }

  /** Counts a request of `key` in; the function returned counts it out (once). */
  enter(key: string): () => void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const n = (this.counts.get(key) ?? 1) - 1;
      if (n <= 0) this.counts.delete(key);
      else this.counts.set(key, n);
    };
  }

  get size(): number {
    return this.counts.size;
  }
}

export function compileRateLimit(filter: RateLimit, now: () => number = () => performance.now()): Step {
  const limits = filter.buckets.map((b) => new TokenBuckets(b.perSecond, b.burst));
  const inProgress = filter.connections === undefined ? undefined : new InProgress(filter.connections);
  const exempt = filter.exempt.length > 0 ? trustChecker(filter.exempt) : undefined;
  return (req: ChainRequest) => {
    const address = req.clientAddress();
    if (exempt?.(address) === true) return undefined;
    const refused = { status: req.limitRejectionStatus, text: 'too many requests', headers: {} };
    if (inProgress?.hasRoom(address) === false) return refused;
    const at = now();
    // Every limit takes its token, as nginx's limit_req zones all count the request.
    let allowed = true;
    for (const limit of limits) allowed = limit.take(address, at) && allowed;
    if (!allowed) return refused;
    if (inProgress !== undefined) req.whenDone(inProgress.enter(address));
    return undefined;
  };
}
