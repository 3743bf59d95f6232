import { describe, expect, it } from '@jest/globals';
import { buildOptions } from '../wiring/dataplane-config.ts';
import { loadControllerConfig } from './load.ts';

describe('--global-auth-*', () => {
  it('is off by default', () => {
    expect(buildOptions(loadControllerConfig([], {})).globalAuth).toBeUndefined();
  });

  it('becomes the ForwardAuth every Ingress route runs', () => {
    const config = loadControllerConfig([
      '--global-auth-url', 'https://auth.example.com/verify?host=$host', '--global-auth-method', 'POST', '--global-auth-signin', 'https://login.example.com/',
      '--global-auth-response-headers', 'X-User, X-Email', '--global-auth-cache-key', '$http_authorization',
    ], { BOLLARD_GLOBAL_AUTH_ALWAYS_SET_COOKIE: 'true' });
    expect(buildOptions(config).globalAuth).toEqual({
      kind: 'ForwardAuth', url: ['https://auth.example.com/verify?host=', { value: 'host' }], method: 'POST', signin: ['https://login.example.com/'],
      signinRedirectParam: 'rd', copyHeaders: ['x-user', 'x-email'], requestRedirect: undefined, alwaysSetCookie: true,
      cache: { key: [{ header: 'authorization' }], durations: [{ statuses: [200, 202, 401], seconds: 300 }] },
    });
  });

  it.each([
    ['--global-auth-url', 'auth.example.com/verify', /--global-auth-url \(BOLLARD_GLOBAL_AUTH_URL\): expected an http\(s\) URL/],
    ['--global-auth-method', 'TRACE', /--global-auth-method/],
    ['--global-auth-cache-key', '$upstream_addr', /--global-auth-cache-key/],
    ['--global-auth-cache-duration', 'forever', /--global-auth-cache-duration/],
  ])('refuses %s %j at start', (flag, value, message) => {
    expect(() => loadControllerConfig([flag, value], {})).toThrow(message);
  });
});
