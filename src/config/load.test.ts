import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadControllerConfig } from './load.ts';

describe('loadControllerConfig', () => {
  it('applies defaults, then environment, then flags', () => {
    const c = loadControllerConfig(['--http-port', '9000'], { BOLLARD_HTTP_PORT: '7000', BOLLARD_ADMIN_PORT: '7001', POD_NAME: 'pod-a' });
    expect(c.httpPort).toBe(9000);
    expect(c.adminPort).toBe(7001);
    expect(c.httpsPort).toBe(8443);
    expect(c.podName).toBe('pod-a');
    expect(c.controllerName).toBe('bollard.io/ingress-controller');
  });

  it('splits lists and parses namespace/name', () => {
    const c = loadControllerConfig(['--watch-namespaces', 'a, b,,c', '--publish-service', 'kube-system/bollard'], {});
    expect(c.watchNamespaces).toEqual(['a', 'b', 'c']);
    expect(c.publishService).toEqual({ namespace: 'kube-system', name: 'bollard' });
  });

  it('names the flag and its variable in a clear error', () => {
    expect(() => loadControllerConfig(['--http-port', '70000'], {})).toThrow(ConfigError);
    expect(() => loadControllerConfig([], { BOLLARD_PUBLISH_SERVICE: 'nope' })).toThrow(/--publish-service \(BOLLARD_PUBLISH_SERVICE\): expected namespace\/name/);
    expect(() => loadControllerConfig(['--debounce-ms', '50', '--debounce-max-ms', '10'], {})).toThrow(/debounce-max-ms/);
  });

  it('rejects unknown flags', () => {
    expect(() => loadControllerConfig(['--nope', '1'], {})).toThrow(/nope/);
  });
});
