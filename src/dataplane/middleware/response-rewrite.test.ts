import { describe, expect, it } from '@jest/globals';
import type { OutgoingHttpHeaders } from 'node:http';
import type { TextReplacement } from '../../routing/middleware.ts';
import { applyResponseRewrite, rewriteLocation, rewriteRefresh, rewriteSetCookie } from './response-rewrite.ts';

const prefix = (text: string, replacement: string): TextReplacement => ({ match: 'Prefix', text, replacement });
const domain = (text: string, replacement: string): TextReplacement => ({ match: 'Domain', text, replacement });

describe('proxy_redirect', () => {
  const rule = prefix('http://internal.svc:8080/', 'https://shop.example.com/');

  it('replaces the start of a Location that starts with the text, case-sensitively', () => {
    expect(rewriteLocation('http://internal.svc:8080/cart?x=1', rule)).toBe('https://shop.example.com/cart?x=1');
    expect(rewriteLocation('HTTP://internal.svc:8080/cart', rule)).toBe('HTTP://internal.svc:8080/cart');
    expect(rewriteLocation('http://other.svc/cart', rule)).toBe('http://other.svc/cart');
  });

  it('rewrites the URL of a Refresh header only', () => {
    expect(rewriteRefresh('5; URL=http://internal.svc:8080/done', rule)).toBe('5; URL=https://shop.example.com/done');
    expect(rewriteRefresh('5', rule)).toBe('5');
  });

  it('with a pattern, replaces a matching value as a whole', () => {
    const pattern: TextReplacement = { match: 'Pattern', text: '^http://[a-z.]+:8080/', replacement: '/', ignoreCase: true };
    expect(rewriteLocation('HTTP://Internal.svc:8080/a/b', pattern)).toBe('/');
    expect(rewriteLocation('https://internal.svc/a', pattern)).toBe('https://internal.svc/a');
  });
});

describe('proxy_cookie_domain and proxy_cookie_path', () => {
  it('replaces a Domain equal to the text in any case, keeping the cookie\'s leading dot', () => {
    const rule = domain('.Internal.SVC', 'shop.example.com');
    expect(rewriteSetCookie('id=1; Domain=.internal.svc; Path=/', rule, undefined)).toBe('id=1; Domain=.shop.example.com; Path=/');
    expect(rewriteSetCookie('id=1; domain=internal.svc', rule, undefined)).toBe('id=1; domain=shop.example.com');
    expect(rewriteSetCookie('id=1; Domain=a.internal.svc', rule, undefined)).toBe('id=1; Domain=a.internal.svc');
  });

  it('replaces the start of a Path, and leaves the cookie\'s value alone even when it looks like an attribute', () => {
    const rule = prefix('/', '/app/');
    expect(rewriteSetCookie('path=/x; Path=/x; HttpOnly', undefined, rule)).toBe('path=/x; Path=/app/x; HttpOnly');
    expect(rewriteSetCookie('id=1', undefined, rule)).toBe('id=1');
  });

  it('applies to every Set-Cookie of an answer, and to Location and Refresh', () => {
    const headers: OutgoingHttpHeaders = {
      location: 'http://internal.svc/next', refresh: '0;url=http://internal.svc/r', 'set-cookie': ['a=1; Path=/', 'b=2; Domain=internal.svc'],
    };
    applyResponseRewrite(headers, { location: prefix('http://internal.svc/', '/'), cookieDomain: domain('internal.svc', 'shop.test'), cookiePath: prefix('/', '/app/') });
    expect(headers).toEqual({ location: '/next', refresh: '0;url=/r', 'set-cookie': ['a=1; Path=/app/', 'b=2; Domain=shop.test'] });
  });
});
