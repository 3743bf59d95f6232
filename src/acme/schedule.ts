// Pure timing rules of the issuer: when a certificate is renewed, and how long a failing name
// waits before its next order.

/** Renew at 2/3 of the lifetime (45-day certificates renew after 30 days), minus up to `jitterFraction` of it. */
export function renewalTime(notBefore: number, notAfter: number, random: number, jitterFraction = 0.05): number {
  const lifetime = Math.max(0, notAfter - notBefore);
  return Math.round(notBefore + (lifetime * 2) / 3 - random * jitterFraction * lifetime);
}

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Minutes to hours: base · 2^(attempts−1), capped, scaled by 0.8–1.2 so replicas of many names spread out. */
export function backoffDelay(attempts: number, policy: BackoffPolicy, random: number): number {
  const raw = policy.baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30));
  return Math.round(Math.min(policy.maxMs, raw) * (0.8 + 0.4 * random));
}
