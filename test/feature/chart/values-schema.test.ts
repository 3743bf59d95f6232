// values.schema.json and the chart's own checks reject wrong values before anything reaches a
// cluster, each with a message naming the value: one case per important field.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { CHART_DIR, HelmError, helmBinary, render } from '../../../scripts/chart-helm.ts';
import { LABEL_SELECTOR_PATTERN } from '../../../src/config/label-selector.ts';

/** helm template's refusal of these values, or '' when it renders them. */
async function refusal(set: Readonly<Record<string, unknown>>): Promise<string> {
  try {
    await render({ set });
    return '';
  } catch (err: unknown) {
    if (err instanceof HelmError) return err.stderr;
    throw err;
  }
}

// The first use fetches helm (scripts/helm.sh, once per machine).
beforeAll(async () => { await helmBinary(); }, 120_000);

const acme = { 'acme.enabled': true, 'acme.email': 'ops@example.com' };

const cases: readonly [string, Record<string, unknown>, RegExp][] = [
  ['negative replicas', { 'controller.replicas': -1 }, /at '\/controller\/replicas': minimum: got -1, want 0/],
  ['an unknown workload kind', { 'controller.kind': 'StatefulSet' }, /at '\/controller\/kind': value must be one of 'Deployment', 'DaemonSet'/],
  ['an unknown Service type', { 'service.type': 'ExternalName' }, /at '\/service\/type': value must be one of 'LoadBalancer', 'NodePort', 'ClusterIP'/],
  ['externalTrafficPolicy on a ClusterIP Service', { 'service.type': 'ClusterIP', 'service.externalTrafficPolicy': 'Local' }, /at '\/service\/externalTrafficPolicy': value must be ''/],
  ['an unknown externalTrafficPolicy', { 'service.externalTrafficPolicy': 'Nearest' }, /at '\/service\/externalTrafficPolicy': value must be one of/],
  ['an unknown etcd mode', { 'etcd.mode': 'embedded' }, /at '\/etcd\/mode': value must be one of 'bundled', 'external'/],
  ['ACME without an email', { 'acme.enabled': true }, /at '\/acme\/email': '' does not match pattern/],
  ['ACME with a malformed email', { 'acme.enabled': true, 'acme.email': 'ops-at-example.com' }, /at '\/acme\/email': 'ops-at-example.com' does not match pattern/],
  ['an unknown ACME directory', { ...acme, 'acme.directory': 'letsencrypt' }, /at '\/acme\/directory': value must be one of 'production', 'staging', 'custom'/],
  ['a custom directory without its URL', { ...acme, 'acme.directory': 'custom' }, /at '\/acme\/customDirectoryUrl': minLength: got 0, want 1/],
  ['a plain-http custom directory', { ...acme, 'acme.directory': 'custom', 'acme.customDirectoryUrl': 'http://acme.example.com/dir' }, /at '\/acme\/customDirectoryUrl': 'http:\/\/acme.example.com\/dir' does not match pattern/],
  ['an unknown key type', { ...acme, 'acme.keyType': 'DSA' }, /at '\/acme\/keyType': value must be one of/],
  ['dns-01 without a nameserver', { ...acme, 'acme.challenge.type': 'dns-01' }, /at '\/acme\/challenge\/dns01\/rfc2136\/nameserver': '' does not match pattern/],
  ['EAB without its Secret', { ...acme, 'acme.externalAccountBinding.keyId': 'kid' }, /at '\/acme\/externalAccountBinding\/hmacSecretName': minLength: got 0, want 1/],
  ['external etcd without endpoints', { ...acme, 'etcd.mode': 'external' }, /at '\/etcd\/external\/endpoints': minItems: got 0, want 1/],
  ['shared global rate limits on external etcd without endpoints', { 'globalRateLimit.sharedThroughEtcd': true, 'etcd.mode': 'external' }, /at '\/etcd\/external\/endpoints': minItems: got 0, want 1/],
  ['an etcd endpoint that is no URL', { ...acme, 'etcd.mode': 'external', 'etcd.external.endpoints': ['etcd-0:2379'] }, /at '\/etcd\/external\/endpoints\/0': 'etcd-0:2379' does not match pattern/],
  ['an even number of etcd members', { 'etcd.bundled.replicas': 2 }, /at '\/etcd\/bundled\/replicas': value must be one of 1, 3, 5, 7/],
  ['etcd without persistence and with 3 members', { 'etcd.bundled.persistence.enabled': false }, /at '\/etcd\/bundled\/replicas': value must be 1/],
  ['bundled etcd client TLS without the controller\'s certificate', { ...acme, 'etcd.bundled.tls.client.enabled': true, 'etcd.bundled.tls.client.secretName': 'etcd-server' }, /at '\/etcd\/clientCertSecret': minLength: got 0, want 1/],
  ['etcd client TLS without the server Secret', { 'etcd.bundled.tls.client.enabled': true }, /at '\/etcd\/bundled\/tls\/client\/secretName': minLength: got 0, want 1/],
  ['hostNetwork together with hostPorts', { 'controller.hostNetwork': true, 'controller.hostPorts.enabled': true }, /at '\/controller\/hostPorts\/enabled': value must be false/],
  ['a port out of range', { 'controller.containerPorts.http': 70000 }, /at '\/controller\/containerPorts\/http': maximum: got 70,000, want 65,535/],
  ['a negative drain', { 'controller.drainSeconds': -5 }, /at '\/controller\/drainSeconds': minimum: got -5, want 0/],
  ['an unknown log level', { 'controller.logLevel': 'trace' }, /at '\/controller\/logLevel': value must be one of 'debug', 'info', 'warn', 'error'/],
  ['an unknown spread', { 'controller.spread': 'maybe' }, /at '\/controller\/spread': value must be one of 'soft', 'hard', 'none'/],
  ['a controller value without a domain', { 'ingressClass.controllerValue': 'bollard' }, /at '\/ingressClass\/controllerValue': 'bollard' does not match pattern/],
  ['a watched namespace that is no DNS label', { 'controller.watchNamespaces': ['Kube_System'] }, /at '\/controller\/watchNamespaces\/0': 'Kube_System' does not match pattern/],
  ['a PDB percentage that is no percentage', { 'controller.podDisruptionBudget.maxUnavailable': 'half' }, /at '\/controller\/podDisruptionBudget\/maxUnavailable': 'half' does not match pattern/],
  ['a flag name in extraArgs with dashes in front', { 'controller.extraArgs': { '--log-level': 'debug' } }, /invalid propertyName '--log-level'/],
  ['a misspelt value', { 'contoller.replicas': 3 }, /additional properties 'contoller' not allowed/],
  ['a misspelt nested value', { 'service.tpye': 'NodePort' }, /at '\/service': additional properties 'tpye' not allowed/],
  ['an HPA whose minimum exceeds its maximum', { 'controller.autoscaling.enabled': true, 'controller.autoscaling.minReplicas': 5, 'controller.autoscaling.maxReplicas': 2 }, /controller\.autoscaling\.minReplicas \(5\) is greater than controller\.autoscaling\.maxReplicas \(2\)/],
  ['an HPA without a metric', { 'controller.autoscaling.enabled': true, 'controller.autoscaling.targetCPUUtilizationPercentage': 0 }, /controller\.autoscaling\.enabled needs a metric/],
  ['a namespace selector that is no label selector', { 'controller.watchNamespaceSelector': 'team=web,' }, /at '\/controller\/watchNamespaceSelector': 'team=web,' does not match pattern/],
  ['a namespace list together with a namespace selector', { 'controller.watchNamespaces': ['kube-system'], 'controller.watchNamespaceSelector': 'team=web' }, /controller\.watchNamespaces and controller\.watchNamespaceSelector cannot be combined/],
  ['watched namespaces that hide the published Service', { 'controller.watchNamespaces': ['shop'] }, /does not include the release namespace "kube-system"/],
  ['a ServiceMonitor without the metrics Service', { 'metrics.serviceMonitor.enabled': true, 'metrics.service.enabled': false }, /metrics\.serviceMonitor\.enabled needs metrics\.service\.enabled/],
];

describe('values.schema.json and the chart\'s checks', () => {
  it.each(cases)('reject %s', async (_what, set, message) => {
    expect(await refusal(set)).toMatch(message);
  });

  it('accept the defaults, and ACME with just an email', async () => {
    expect(await refusal({})).toBe('');
    expect(await refusal(acme)).toBe('');
  });

  it('accept the label selectors the controller accepts, with the controller\'s pattern', async () => {
    const schema = JSON.parse(await readFile(`${CHART_DIR}/values.schema.json`, 'utf8')) as { properties: { controller: { properties: { watchNamespaceSelector: { pattern: string } } } } };
    expect(schema.properties.controller.properties.watchNamespaceSelector.pattern).toBe(LABEL_SELECTOR_PATTERN);
    expect(await refusal({ 'controller.watchNamespaceSelector': 'example.com/team in (web, api),env!=dev,!legacy' })).toBe('');
  });
});
