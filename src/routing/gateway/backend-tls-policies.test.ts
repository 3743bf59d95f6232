import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Json } from '../../kube/client.ts';
import { matchRoute, type RequestFacts } from '../match.ts';
import type { BuildResult, Route } from '../types.ts';
import {
  backendTlsPolicy, build, configMap, gateway, gatewayClass, httpListener, httpRoute, tlsSecret,
} from '../../../test/support/routing/gateway-world.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
const CA = fixture('rsa-2048-a.crt');
const CLIENT = { certPem: fixture('rsa-2048-b.crt'), keyPem: fixture('rsa-2048-b.key') };

/** A Service with two named ports (https-1: 443, https-2: 8443) and one ready endpoint. */
function tlsService(name: string): Json[] {
  return [
    { kind: 'Service', metadata: { namespace: 'app', name }, spec: { ports: [{ name: 'https-1', port: 443, targetPort: 8443 }, { name: 'https-2', port: 8443, targetPort: 8443 }] } },
    {
      kind: 'EndpointSlice', metadata: { namespace: 'app', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', ports: [{ name: 'https-1', port: 8443 }, { name: 'https-2', port: 8443 }], endpoints: [{ addresses: ['10.0.0.9'] }],
    },
  ];
}

const caRefs = (...names: string[]) => names.map((name) => ({ group: '', kind: 'ConfigMap', name }));
const policy = (name: string, target: Json, validation: Json, metadata: Json = {}) =>
  backendTlsPolicy('app', name, { targetRefs: [{ group: '', kind: 'Service', ...target }], validation }, metadata);

/** One Gateway "edge" in "app"; an HTTPRoute "r" with one Exact path per backend: /<service>-<port>. */
function world(backends: readonly (readonly [string, number])[], extra: readonly Json[], gatewaySpec: Json = {}): BuildResult {
  const services = [...new Set(backends.map(([s]) => s))].flatMap(tlsService);
  const gw = { ...gateway('app', 'edge', [httpListener()]) };
  const spec = { ...(gw.spec as Json), ...gatewaySpec };
  return build([
    gatewayClass(), { ...gw, spec }, ...services, configMap('app', 'ca', { 'ca.crt': CA }),
    httpRoute('app', 'r', {
      parentRefs: [{ name: 'edge' }], hostnames: ['abc.example.com'],
      rules: backends.map(([name, port]) => ({ matches: [{ path: { type: 'Exact', value: `/${name}-${String(port)}` } }], backendRefs: [{ name, port }] })),
    }),
    ...extra,
  ]);
}

const HTTP_GET: RequestFacts = { method: 'GET', proto: 'http', header: () => undefined, queryParam: () => undefined };
const routeTo = (result: BuildResult, path: string): Route | undefined => matchRoute(result.table, 'abc.example.com', path, HTTP_GET);
const policyConditions = (result: BuildResult, name: string): string[] =>
  result.gatewayApi?.backendTlsPolicies.find((p) => p.ref.name === name)?.ancestors.flatMap((a) =>
    a.conditions.map((c) => `${a.ancestorRef.name} ${c.type}=${c.status}:${c.reason}`)) ?? [];

describe('BackendTLSPolicy → upstream TLS', () => {
  it('a valid policy makes the backend HTTPS, verified against the ConfigMap CA, with the hostname as SNI', () => {
    const result = world([['svc', 443]], [policy('p', { name: 'svc', sectionName: 'https-1' }, { caCertificateRefs: caRefs('ca'), hostname: 'ABC.example.com' })]);
    const route = routeTo(result, '/svc-443');
    expect(route?.options.backendProtocol).toBe('HTTPS');
    expect(route?.invalidBackend).toBeUndefined();
    expect(route?.options.upstreamTls).toMatchObject({
      verify: true, verifyDepth: undefined, serverName: 'abc.example.com', sendServerName: true, caPem: CA.trim(), clientCertPem: undefined,
    });
    expect(route?.options.upstreamTls?.subjectAltNames).toBeUndefined();
    expect(policyConditions(result, 'p')).toEqual(['edge Accepted=True:Accepted', 'edge ResolvedRefs=True:ResolvedRefs']);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'ResolvedRefs=True']);
  });

  it('subjectAltNames are verified instead of the hostname; wellKnownCACertificates System trusts the public roots', () => {
    const result = world([['svc', 443]], [policy('p', { name: 'svc' }, {
      wellKnownCACertificates: 'System', hostname: 'abc.example.com',
      subjectAltNames: [{ type: 'URI', uri: 'spiffe://abc.example.com/id' }, { type: 'Hostname', hostname: 'Other.example.com' }],
    })]);
    const tls = routeTo(result, '/svc-443')?.options.upstreamTls;
    expect(tls).toMatchObject({ caPem: undefined, serverName: 'abc.example.com', subjectAltNames: ['URI:spiffe://abc.example.com/id', 'DNS:other.example.com'] });
    expect(policyConditions(result, 'p')).toEqual(['edge Accepted=True:Accepted', 'edge ResolvedRefs=True:ResolvedRefs']);
  });

  it('a Service port without a policy stays plain; a policy naming a port applies to that port only', () => {
    const result = world([['svc', 443], ['svc', 8443], ['plain', 443]], [policy('p', { name: 'svc', sectionName: 'https-2' }, { caCertificateRefs: caRefs('ca'), hostname: 'a.test' })]);
    expect(routeTo(result, '/svc-443')?.options.upstreamTls).toBeUndefined();
    expect(routeTo(result, '/svc-8443')?.options.upstreamTls?.serverName).toBe('a.test');
    expect(routeTo(result, '/plain-443')?.options).toMatchObject({ backendProtocol: 'HTTP' });
  });
});

describe('BackendTLSPolicy conflicts', () => {
  it('the oldest policy on the same target wins; the other is Conflicted and not applied', () => {
    const result = world([['svc', 443]], [
      policy('young', { name: 'svc' }, { caCertificateRefs: caRefs('ca'), hostname: 'young.test' }, { creationTimestamp: '2024-02-01T00:00:00Z' }),
      policy('old', { name: 'svc' }, { caCertificateRefs: caRefs('ca'), hostname: 'old.test' }, { creationTimestamp: '2024-01-15T00:00:00Z' }),
    ]);
    expect(routeTo(result, '/svc-443')?.options.upstreamTls?.serverName).toBe('old.test');
    expect(policyConditions(result, 'old')).toContain('edge Accepted=True:Accepted');
    expect(policyConditions(result, 'young')).toEqual(['edge Accepted=False:Conflicted', 'edge ResolvedRefs=True:ResolvedRefs']);
  });

  it('between policies of the same age the first by name wins; a policy for a port and one for the whole Service do not conflict', () => {
    const result = world([['svc', 443], ['svc', 8443], ['both', 443]], [
      policy('b', { name: 'both' }, { caCertificateRefs: caRefs('ca'), hostname: 'b.test' }),
      policy('a', { name: 'both' }, { caCertificateRefs: caRefs('ca'), hostname: 'a.test' }),
      policy('port', { name: 'svc', sectionName: 'https-1' }, { caCertificateRefs: caRefs('ca'), hostname: 'port.test' }),
      policy('whole', { name: 'svc' }, { caCertificateRefs: caRefs('ca'), hostname: 'whole.test' }),
    ]);
    expect(routeTo(result, '/both-443')?.options.upstreamTls?.serverName).toBe('a.test');
    expect(policyConditions(result, 'b')[0]).toBe('edge Accepted=False:Conflicted');
    expect(routeTo(result, '/svc-443')?.options.upstreamTls?.serverName).toBe('port.test');
    expect(routeTo(result, '/svc-8443')?.options.upstreamTls?.serverName).toBe('whole.test');
    expect(policyConditions(result, 'port')[0]).toBe('edge Accepted=True:Accepted');
    expect(policyConditions(result, 'whole')[0]).toBe('edge Accepted=True:Accepted');
  });
});

describe('BackendTLSPolicy CA references', () => {
  const cases: readonly [string, Json, string][] = [
    ['a missing ConfigMap', { caCertificateRefs: caRefs('nowhere') }, 'InvalidCACertificateRef'],
    ['a ConfigMap without ca.crt', { caCertificateRefs: caRefs('empty') }, 'InvalidCACertificateRef'],
    ['a ca.crt that is not PEM', { caCertificateRefs: caRefs('garbage') }, 'InvalidCACertificateRef'],
    ['a kind other than ConfigMap', { caCertificateRefs: [{ group: 'invalid.io', kind: 'InvalidKind', name: 'x' }] }, 'InvalidKind'],
  ];
  it.each(cases)('%s: Accepted False (NoValidCACertificate), ResolvedRefs False, requests fail with 500; the route stays resolved', (_name, validation, reason) => {
    const result = world([['svc', 443]], [
      configMap('app', 'empty', {}), configMap('app', 'garbage', { 'ca.crt': 'not a certificate' }),
      policy('p', { name: 'svc' }, { ...validation, hostname: 'abc.example.com' }),
    ]);
    expect(routeTo(result, '/svc-443')?.invalidBackend).toBe(true);
    expect(policyConditions(result, 'p')).toEqual(['edge Accepted=False:NoValidCACertificate', `edge ResolvedRefs=False:${reason}`]);
    expect(result.gatewayApi?.routes[0]?.parents[0]?.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Accepted=True', 'ResolvedRefs=True']);
  });

  it('with one valid reference of two, the valid CA is used and ResolvedRefs names the invalid one', () => {
    const result = world([['svc', 443]], [policy('p', { name: 'svc' }, { caCertificateRefs: caRefs('nowhere', 'ca'), hostname: 'abc.example.com' })]);
    expect(routeTo(result, '/svc-443')?.options.upstreamTls?.caPem).toBe(CA.trim());
    expect(policyConditions(result, 'p')).toEqual(['edge Accepted=True:Accepted', 'edge ResolvedRefs=False:InvalidCACertificateRef']);
  });

  it('an unknown wellKnownCACertificates is Invalid', () => {
    const result = world([['svc', 443]], [policy('p', { name: 'svc' }, { wellKnownCACertificates: 'example.com/roots', hostname: 'abc.example.com' })]);
    expect(routeTo(result, '/svc-443')?.invalidBackend).toBe(true);
    expect(policyConditions(result, 'p')[0]).toBe('edge Accepted=False:Invalid');
  });

  it('a policy no route of ours reaches has no ancestors and is not reported', () => {
    const result = world([['svc', 443]], [policy('p', { name: 'elsewhere' }, { caCertificateRefs: caRefs('ca'), hostname: 'abc.example.com' })]);
    expect(result.gatewayApi?.backendTlsPolicies).toEqual([]);
  });
});

describe('Gateway tls.backend.clientCertificateRef', () => {
  const p = policy('p', { name: 'svc' }, { caCertificateRefs: caRefs('ca'), hostname: 'abc.example.com' });
  const resolvedRefs = (result: BuildResult) => result.gatewayApi?.gateways[0]?.conditions.filter((c) => c.type === 'ResolvedRefs' || c.type === 'Accepted')
    .map((c) => `${c.type}=${c.status}:${c.reason}`);

  it('the Gateway shows its client certificate to backends reached through a policy', () => {
    const result = world([['svc', 443]], [p, tlsSecret('app', 'client', CLIENT)], { tls: { backend: { clientCertificateRef: { name: 'client' } } } });
    expect(routeTo(result, '/svc-443')?.options.upstreamTls).toMatchObject({ clientCertPem: CLIENT.certPem, clientKeyPem: CLIENT.keyPem });
    expect(resolvedRefs(result)).toEqual(['Accepted=True:Accepted', 'ResolvedRefs=True:ResolvedRefs']);
  });

  const bad: readonly [string, Json, string][] = [
    ['a missing Secret', { name: 'nowhere' }, 'InvalidClientCertificateRef'],
    ['another group', { group: 'wrong.example.com', kind: 'Secret', name: 'client' }, 'InvalidClientCertificateRef'],
    ['another kind', { kind: 'WrongKind', name: 'client' }, 'InvalidClientCertificateRef'],
    ['a Secret in another namespace without a ReferenceGrant', { name: 'client', namespace: 'other' }, 'RefNotPermitted'],
  ];
  it.each(bad)('%s: the Gateway stays Accepted, ResolvedRefs False, no client certificate is shown', (_name, ref, reason) => {
    const result = world([['svc', 443]], [p, tlsSecret('app', 'client', CLIENT), tlsSecret('other', 'client', CLIENT)], { tls: { backend: { clientCertificateRef: ref } } });
    expect(resolvedRefs(result)).toEqual(['Accepted=True:Accepted', `ResolvedRefs=False:${reason}`]);
    expect(routeTo(result, '/svc-443')?.options.upstreamTls?.clientCertPem).toBeUndefined();
  });
});
