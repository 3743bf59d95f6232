import { describe, expect, it } from '@jest/globals';
import { NONCE_LIFETIME_SECONDS, NONCE_MAX_USES, nonceBook } from './digest-nonce.ts';

const USERS = [['alice', '399fd2f1c4da8ff0e32c019d347cf103']] as const;

function clock(start = 1_700_000_000_000): { now: () => number; advance: (seconds: number) => void } {
  let ms = start;
  return { now: () => ms, advance: (seconds) => { ms += seconds * 1000; } };
}

describe('digest nonces', () => {
  it('takes its own nonce within the lifetime and calls it stale after it (nginx auth_digest_timeout)', () => {
    const c = clock();
    const book = nonceBook('Staff only', USERS, c.now);
    const nonce = book.issue();
    c.advance(NONCE_LIFETIME_SECONDS);
    expect(book.check(nonce, 1)).toBe('fresh');
    c.advance(1);
    expect(book.check(nonce, 2)).toBe('stale');
  });

  it('takes a nonce another process with the same users issued (the key is derived from them)', () => {
    const c = clock();
    const nonce = nonceBook('Staff only', USERS, c.now).issue();
    expect(nonceBook('Staff only', USERS, c.now).check(nonce, 1)).toBe('fresh');
    expect(nonceBook('Staff only', [['alice', '0'.repeat(32)]], c.now).check(nonce, 1)).toBe('stale');
    expect(nonceBook('Elsewhere', USERS, c.now).check(nonce, 1)).toBe('stale');
  });

  it('calls a count seen before, 0, or over the uses allowed stale', () => {
    const book = nonceBook('Staff only', USERS, clock().now);
    const nonce = book.issue();
    expect(book.check(nonce, NONCE_MAX_USES)).toBe('fresh');
    expect(book.check(nonce, NONCE_MAX_USES)).toBe('stale');
    expect(book.check(nonce, 0)).toBe('stale');
    expect(book.check(nonce, NONCE_MAX_USES + 1)).toBe('stale');
  });

  it('still remembers a count after the memory turned over once, as long as its nonce is fresh', () => {
    const c = clock();
    const book = nonceBook('Staff only', USERS, c.now);
    c.advance(NONCE_LIFETIME_SECONDS - 1);
    const nonce = book.issue();
    expect(book.check(nonce, 1)).toBe('fresh');
    c.advance(NONCE_LIFETIME_SECONDS);
    expect(book.check(book.issue(), 1)).toBe('fresh'); // turns the memory over
    expect(book.check(nonce, 1)).toBe('stale');
    expect(book.check(nonce, 2)).toBe('fresh');
  });

  it('calls a tampered or malformed nonce, and one issued far in the future, stale', () => {
    const c = clock();
    const book = nonceBook('Staff only', USERS, c.now);
    const nonce = book.issue();
    const tampered = `${(Number.parseInt(nonce.slice(0, 8), 16) + 30).toString(16)}${nonce.slice(8)}`;
    expect(book.check(tampered, 1)).toBe('stale');
    expect(book.check('not-a-nonce', 1)).toBe('stale');
    c.advance(-60);
    expect(book.check(nonce, 1)).toBe('stale');
  });
});
