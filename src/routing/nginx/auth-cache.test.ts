import { describe, expect, it } from '@jest/globals';
import { parseCacheKey, parseDurations } from './auth-cache.ts';

describe('auth-cache-duration', () => {
  it.each([
    ['200 202 10m, 401 5m', [{ statuses: [200, 202], seconds: 600 }, { statuses: [401], seconds: 300 }]],
    ['5m', [{ statuses: [200, 301, 302], seconds: 300 }]],
    ['any 1h 30m', [{ statuses: 'any', seconds: 5400 }]],
    ['200 1d, ,', [{ statuses: [200], seconds: 86_400 }]],
  ])('reads %j as proxy_cache_valid does', (written, durations) => {
    expect(parseDurations(written)?.value).toEqual(durations);
  });

  it.each(['', '200', '10m 200', 'forever', '200 10x', '0s', '999 1m'])('refuses %j', (written) => {
    expect(parseDurations(written)).toBeUndefined();
  });
});

describe('auth-cache-key', () => {
  it('parses nginx variables into request values, headers and cookies', () => {
    expect(parseCacheKey('$remote_user$http_authorization:${cookie_session}/$host')?.value).toEqual([
      { value: 'remote_user' }, { header: 'authorization' }, ':', { cookie: 'session' }, '/', { value: 'host' },
    ]);
    expect(parseCacheKey('$http_x_api_key')?.value).toEqual([{ header: 'x-api-key' }]);
  });

  it.each(['', '$upstream_addr', 'a$', '$http_'])('refuses %j', (written) => {
    expect(parseCacheKey(written)).toBeUndefined();
  });
});
