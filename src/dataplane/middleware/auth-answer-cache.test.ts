import { describe, expect, it } from '@jest/globals';
import { AuthAnswerCache, MAX_ENTRIES } from './auth-answer-cache.ts';

const plain = { cacheControl: undefined, setsCookie: false };
const ok = { status: 200, headers: { 'x-user': 'ann' } };

describe('AuthAnswerCache', () => {
  const rule = { key: [], durations: [{ statuses: [200] as number[], seconds: 60 }, { statuses: 'any' as const, seconds: 5 }] };

  it('keeps an answer for the first listed duration of its status, then forgets it', () => {
    const cache = new AuthAnswerCache(rule);
    cache.put('k', ok, plain, 1000);
    cache.put('denied', { status: 403, headers: {} }, plain, 1000);
    expect(cache.get('k', 60_999)).toEqual({ ...ok, until: 61_000 });
    expect(cache.get('k', 61_000)).toBeUndefined();
    expect(cache.get('denied', 5999)?.status).toBe(403);
    expect(cache.get('denied', 6000)).toBeUndefined();
  });

  it('follows the service: no-store, no-cache, private or a cookie keep nothing; max-age replaces the time', () => {
    const cache = new AuthAnswerCache(rule);
    for (const cacheControl of ['no-store', 'private, max-age=60', 'No-Cache']) cache.put(cacheControl, ok, { cacheControl, setsCookie: false }, 0);
    cache.put('cookie', ok, { cacheControl: undefined, setsCookie: true }, 0);
    cache.put('short', ok, { cacheControl: 'max-age=2', setsCookie: false }, 0);
    cache.put('shared', ok, { cacheControl: 'max-age=2, s-maxage=9', setsCookie: false }, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('short', 2001)).toBeUndefined();
    expect(cache.get('shared', 8999)).toBeDefined();
  });

  it('holds at most MAX_ENTRIES, dropping the oldest', () => {
    const cache = new AuthAnswerCache(rule);
    for (let i = 0; i <= MAX_ENTRIES; i++) cache.put(`k${i}`, ok, plain, 0);
    expect(cache.size).toBe(MAX_ENTRIES);
    expect(cache.get('k0', 1)).toBeUndefined();
    expect(cache.get(`k${MAX_ENTRIES}`, 1)).toBeDefined();
  });
});
