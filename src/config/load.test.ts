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

  it('takes a namespace label selector, checks it, and refuses it together with a namespace list', () => {
    expect(loadControllerConfig([], {}).watchNamespaceSelector).toBe('');
    expect(loadControllerConfig([], { BOLLARD_WATCH_NAMESPACE_SELECTOR: ' team=web,env!=dev ' }).watchNamespaceSelector).toBe('team=web,env!=dev');
    expect(() => loadControllerConfig(['--watch-namespace-selector', 'team=web,'], {})).toThrow(/--watch-namespace-selector \(BOLLARD_WATCH_NAMESPACE_SELECTOR\): expected a label selector/);
    expect(() => loadControllerConfig(['--watch-namespace-selector', 'team=web', '--watch-namespaces', 'shop'], {}))
      .toThrow(/--watch-namespace-selector cannot be combined with --watch-namespaces/);
  });

  it('takes --gateway-infrastructure-services only with --publish-service, and a cluster domain', () => {
    const off = loadControllerConfig([], {});
    expect([off.gatewayInfrastructureServices, off.clusterDomain]).toEqual([false, 'cluster.local']);
    const on = loadControllerConfig(['--gateway-infrastructure-services', 'true', '--publish-service', 'ingress/bollard', '--cluster-domain', 'k8s.example'], {});
    expect([on.gatewayInfrastructureServices, on.clusterDomain]).toEqual([true, 'k8s.example']);
    expect(() => loadControllerConfig(['--gateway-infrastructure-services', 'true'], {})).toThrow(/needs --publish-service/);
    expect(() => loadControllerConfig(['--cluster-domain', 'Not_A_Domain'], {})).toThrow(/--cluster-domain/);
  });

  it('rejects unknown flags', () => {
    expect(() => loadControllerConfig(['--nope', '1'], {})).toThrow(/nope/);
  });
});
