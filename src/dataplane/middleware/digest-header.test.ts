import { describe, expect, it } from '@jest/globals';
import { parseDigestAuthorization } from './digest-header.ts';

describe('parseDigestAuthorization', () => {
  it('reads tokens and quoted strings with escapes, names in any case, spaces around commas', () => {
    const p = parseDigestAuthorization('DIGEST Username="a\\"b", realm="Staff only" ,nc=00000001,  qop=auth, uri="/p?x=1,2"');
    expect(p === undefined ? undefined : Object.fromEntries(p)).toEqual({ username: 'a"b', realm: 'Staff only', nc: '00000001', qop: 'auth', uri: '/p?x=1,2' });
  });

  it.each([
    ['no scheme', 'username="a"'],
    ['another scheme', 'Basic YQ=='],
    ['an unterminated quote', 'Digest a="b'],
    ['a trailing escape', 'Digest a="b\\'],
    ['a value missing', 'Digest a=, b=c'],
    ['no comma between', 'Digest a=b c=d'],
    ['a repeated name', 'Digest a=b, A=c'],
    ['a header longer than 8 KiB', `Digest a="${'x'.repeat(8192)}"`],
  ])('refuses %s', (_what, header) => {
    expect(parseDigestAuthorization(header)).toBeUndefined();
  });

  it('reads a worst case of escapes up to the 8 KiB cap in one pass', () => {
    // An 8 KiB quoted string of escapes is read in one pass; nothing backtracks (sticky patterns only).
    const header = `Digest a="${'\\"'.repeat(4000)}"`;
    expect(parseDigestAuthorization(header)?.get('a')).toBe('"'.repeat(4000));
  });
});
