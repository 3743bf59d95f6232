import { describe, expect, it } from '@jest/globals';
import { cookieValue } from './cookies.ts';

describe('cookieValue', () => {
  it('finds the first cookie of that name across Cookie lines, trimmed, and matches the name exactly unless asked', () => {
    const lines = ['theme=dark;  Session = s1 ', 'session=s2; session=s3'];
    expect(cookieValue(lines, 'session')).toBe('s2');
    expect(cookieValue(lines, 'session', true)).toBe('s1');
    expect(cookieValue('a=1; =x; b', 'b')).toBeUndefined();
    expect(cookieValue('a=1=2', 'a')).toBe('1=2');
    expect(cookieValue(undefined, 'a')).toBeUndefined();
  });
});
