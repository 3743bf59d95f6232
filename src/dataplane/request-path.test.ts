import { describe, expect, it } from '@jest/globals';
import { normalizeRequestTarget } from './request-path.ts';

describe('normalizeRequestTarget', () => {
  it.each([
    ['/', '/', ''],
    ['/a/b?x=1', '/a/b', '?x=1'],
    ['/public/../admin', '/admin', ''],
    ['/public/%2e%2E/admin', '/admin', ''],
    ['/a//b///c', '/a/b/c', ''],
    ['/a/./b/.', '/a/b/', ''],
    ['/../../etc', '/etc', ''],
    ['/a/b/', '/a/b/', ''],
    ['/a/b/..', '/a/', ''],
    ['/x?/../y', '/x', '?/../y'],
  ])('%s → %s', (url, path, query) => {
    expect(normalizeRequestTarget(url)).toEqual({ path, query });
  });

  it('rejects targets that are not origin-form', () => {
    expect(normalizeRequestTarget('http://example.com/')).toBeUndefined();
    expect(normalizeRequestTarget('*')).toBeUndefined();
    expect(normalizeRequestTarget('')).toBeUndefined();
  });
});
