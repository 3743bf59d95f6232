// The answers of one ForwardAuth's service, kept per data-plane process (nginx auth-cache-key,
// auth-cache-duration; nginx keeps them per pod). What is kept is what the chain uses: the status,
// the headers copied to the upstream and the challenge. As nginx's proxy_cache, an answer that sets
// a cookie or says Cache-Control no-store, no-cache or private is not kept, and max-age (s-maxage
// first) replaces the annotation's time. At most MAX_ENTRIES answers: a new one drops the oldest.
import type { AuthCache } from '../../routing/middleware.ts';

export interface CachedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

interface Entry extends CachedAnswer { readonly until: number }

export const MAX_ENTRIES = 10_000;

export class AuthAnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly rule: AuthCache;

  constructor(rule: AuthCache) {
    this.rule = rule;
  }

  get(key: string, now: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /** Keeps the answer if its status is listed and the service allows it. */
  put(key: string, answer: CachedAnswer, control: { cacheControl: string | undefined; setsCookie: boolean }, now: number): void {
    const seconds = this.keepFor(answer.status, control);
    if (seconds === undefined || seconds <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { ...answer, until: now + seconds * 1000 });
  }

  get size(): number {
    return this.entries.size;
  }

  private keepFor(status: number, control: { cacheControl: string | undefined; setsCookie: boolean }): number | undefined {
    if (control.setsCookie) return undefined;
    const listed = this.rule.durations.find((d) => d.statuses === 'any' || d.statuses.includes(status));
    if (listed === undefined) return undefined;
    const directives = (control.cacheControl ?? '').toLowerCase();
    if (/(^|[\s,])(no-store|no-cache|private)([\s,=]|$)/.test(directives)) return undefined;
    const age = /(?:^|[\s,])s-maxage=(\d+)/.exec(directives) ?? /(?:^|[\s,])max-age=(\d+)/.exec(directives);
    return age === null ? listed.seconds : Number(age[1]);
  }
}
