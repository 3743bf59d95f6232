import { describe, expect, it } from '@jest/globals';
import { buildOptions } from '../wiring/dataplane-config.ts';
import { loadControllerConfig } from './load.ts';

describe('--hsts*', () => {
  it('is on by default with ingress-nginx\'s value', () => {
    expect(buildOptions(loadControllerConfig([], {})).defaults?.hsts).toBe('max-age=31536000; includeSubDomains');
  });

  it('writes max-age, includeSubDomains and preload as asked', () => {
    const config = loadControllerConfig(['--hsts-max-age-seconds', '600', '--hsts-include-subdomains=false', '--hsts-preload=true'], {});
    expect(buildOptions(config).defaults?.hsts).toBe('max-age=600; preload');
  });

  it('is off with --hsts=false', () => {
    expect(buildOptions(loadControllerConfig(['--hsts=false'], {})).defaults?.hsts).toBe(false);
  });

  it('refuses a max-age that is not whole seconds', () => {
    expect(() => loadControllerConfig(['--hsts-max-age-seconds', '1y'], {})).toThrow(/--hsts-max-age-seconds/);
  });
});
