import { describe, expect, it } from '@jest/globals';
import { normalizeRequestTarget } from './request-path.ts';

describe('normalizeRequestTarget', () => {
  it.each([
    // target, matched as, sent upstream as, query
    ['/', '/', '/', ''],
    ['/a/b?x=1', '/a/b', '/a/b', '?x=1'],
    ['/public/../admin', '/admin', '/admin', ''],
    ['/public/%2e%2E/admin', '/admin', '/admin', ''],
    ['/a//b///c', '/a/b/c', '/a/b/c', ''],
    ['/a/./b/.', '/a/b/', '/a/b/', ''],
    ['/a/b/', '/a/b/', '/a/b/', ''],
    ['/a/b/..', '/a/', '/a/', ''],
    ['/x?/../y', '/x', '/x', '?/../y'],
    // Encoded slashes separate segments for matching and stay encoded upstream.
    ['/api%2Fv4%2fprojects', '/api/v4/projects', '/api%2Fv4%2fprojects', ''],
    ['/public%2F..%2Fadmin', '/admin', '/admin', ''],
    ['/public/x%2F..%2F..%2Fadmin', '/admin', '/admin', ''],
    ['/a%2Fb/../c', '/a/c', '/a/c', ''],
    ['/%2Fpublic', '/public', '/public', ''],
    // Backslashes, raw or encoded, are separators too.
    ['/public\\x', '/public/x', '/public\\x', ''],
    ['/public\\..\\admin', '/admin', '/admin', ''],
    ['/a%5Cb', '/a/b', '/a%5Cb', ''],
    // Other escapes are decoded for matching only.
    ['/%70ublic/%7e', '/public/~', '/%70ublic/%7e', ''],
    ['/caf%C3%A9', '/café', '/caf%C3%A9', ''],
    ['/a%3Fb%23c%25', '/a?b#c%', '/a%3Fb%23c%25', ''],
    ['/a/%FF', '/a/\uFFFD', '/a/%FF', ''],
    ['/a/...', '/a/...', '/a/...', ''],
  ])('%s → match %s, upstream %s', (url, matchPath, upstreamPath, query) => {
    expect(normalizeRequestTarget(url)).toEqual({ matchPath, upstreamPath, query });
  });

  it.each([
    ['not origin-form', 'http://example.com/'],
    ['asterisk-form', '*'],
    ['empty', ''],
    ['a bad escape', '/a/%zz'],
    ['a short escape', '/a/%4'],
    ['an escape cut at the end', '/a%'],
    ['NUL', '/a/%00'],
    ['.. above the root', '/../x'],
    ['.. above the root, later', '/a/../../x'],
    ['encoded .. above the root', '/%2e%2e/x'],
    ['a fragment', '/a#b'],
  ])('refuses %s (%s)', (_what, url) => {
    expect(normalizeRequestTarget(url)).toBeUndefined();
  });
});
