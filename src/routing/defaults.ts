// The built-in route defaults (docs in processors/options.ts) and the controller-wide ones a build
// runs under: BuildOptions.defaults over the built-in values.
import type { BuildOptions, RouteDefaults } from './types.ts';

export const BUILT_IN_DEFAULTS: RouteDefaults = {
  sslRedirect: true,
  forceSslRedirect: false,
  loadBalancing: 'round-robin',
  readTimeoutMs: 60_000,
  maxBodyBytes: undefined,
  tunnelIdleTimeoutMs: 3_600_000,
  // ingress-nginx's hsts, hsts-max-age, hsts-include-subdomains and hsts-preload defaults.
  hsts: 'max-age=31536000; includeSubDomains',
};

export function resolveDefaults(options: BuildOptions): RouteDefaults {
  const given = options.defaults ?? {};
  return {
    sslRedirect: given.sslRedirect ?? BUILT_IN_DEFAULTS.sslRedirect,
    forceSslRedirect: given.forceSslRedirect ?? BUILT_IN_DEFAULTS.forceSslRedirect,
    loadBalancing: given.loadBalancing ?? BUILT_IN_DEFAULTS.loadBalancing,
    readTimeoutMs: given.readTimeoutMs ?? BUILT_IN_DEFAULTS.readTimeoutMs,
    maxBodyBytes: given.maxBodyBytes ?? BUILT_IN_DEFAULTS.maxBodyBytes,
    tunnelIdleTimeoutMs: given.tunnelIdleTimeoutMs ?? BUILT_IN_DEFAULTS.tunnelIdleTimeoutMs,
    hsts: given.hsts ?? BUILT_IN_DEFAULTS.hsts,
  };
}
